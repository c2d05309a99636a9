import { buildApp } from './app/app.js';
import { loadConfig } from './config.js';

/**
 * Live update's entry (`nx run deploy:minikube --watch --live`; never in the image): the server of main.ts without its
 * process handling, for the runner that keeps the process and the packages it loaded and swaps the app each time the
 * executor's build changes (tools/nx-plugin/src/executors/helm-deploy/live/runner.mjs). Returns how to close it: the
 * app stops accepting connections, lets in-flight requests finish and closes the database.
 */
export async function serve(): Promise<{ close(): Promise<void> }> {
  const config = loadConfig(process.env, { command: 'serve' });
  const app = await buildApp(config);
  await app.listen({ host: config.host, port: config.port });
  return { close: () => app.close() };
}
