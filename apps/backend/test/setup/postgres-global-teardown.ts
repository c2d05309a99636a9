export default async function globalTeardown(): Promise<void> {
  globalThis.__TODO_STACK_PG__?.stop();
}
