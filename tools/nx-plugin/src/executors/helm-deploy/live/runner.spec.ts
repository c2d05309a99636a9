import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * A live build as the executor leaves it: an app whose answer names its build, listening with SO_REUSEPORT as the
 * backend's live entry does (apps/backend/src/live.ts), the runner beside it.
 */
const app = (build: string) => `
import { createServer } from 'node:http';
export async function serve() {
  // An app takes a while to build (the backend: its plugins, the database pool): the current one serves meanwhile.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const server = createServer((_request, response) => response.end('${build} ' + process.pid));
  await new Promise((resolve) => server.listen({ port: Number(process.env.PORT), host: '127.0.0.1', reusePort: true }, resolve));
  return { close: () => new Promise((resolve) => server.close(resolve)) };
}
`;

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

async function answer(port: number, expected: RegExp, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = await fetch(`http://127.0.0.1:${port}/`).then(
      (r) => r.text(),
      (e: Error) => e.message,
    );
    if (expected.test(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no answer matching ${expected} within ${timeoutMs} ms; last: ${last}`);
}

/** One request on a connection of its own: undefined when answered, else the error's code. */
const probe = (port: number) =>
  new Promise<string | undefined>((resolve) => {
    get({ port, host: '127.0.0.1', path: '/', agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve(undefined));
    }).on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms: ${condition}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('live update: the runner swaps the app in place', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'live-runner-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves each new generation from the same process with no refused connection, and drains on SIGTERM', async () => {
    writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }');
    writeFileSync(path.join(dir, 'live.js'), app('build-1'));
    mkdirSync(path.join(dir, 'restart'));
    writeFileSync(path.join(dir, 'restart/generation'), '1');
    copyFileSync(path.join(__dirname, 'runner.mjs'), path.join(dir, 'runner.mjs'));
    const port = await freePort();
    const runner = spawn(process.execPath, [path.join(dir, 'runner.mjs')], {
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    runner.stdout.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => runner.on('close', resolve));
    try {
      const first = await answer(port, /^build-1 /);
      // New connections all through the swap: the next build listens before the current one closes, so none is
      // refused. (A reset is possible, as with any listener that closes: one queued as it closed, or a kept-alive
      // connection it ends; so each probe opens its own connection and only refusals count.)
      const refused: string[] = [];
      let probes = 0;
      let swapping = true;
      const probing = (async () => {
        while (swapping) {
          probes += 1;
          const failure = await probe(port);
          if (failure === 'ECONNREFUSED') refused.push(failure);
        }
      })();
      writeFileSync(path.join(dir, 'live.js'), app('build-2'));
      writeFileSync(path.join(dir, 'restart/generation'), '2');
      const second = await answer(port, /^build-2 /);
      await until(() => /"generation":2/.test(output));
      swapping = false;
      await probing;
      expect(probes).toBeGreaterThan(10);
      expect(refused).toEqual([]);
      expect(second.split(' ')[1]).toBe(first.split(' ')[1]);
      expect(second.split(' ')[1]).toBe(String(runner.pid));
      // A build that fails to serve is reported, and the current one goes on serving; the next one serves.
      writeFileSync(path.join(dir, 'live.js'), 'export async function serve() { throw new Error("broken"); }');
      writeFileSync(path.join(dir, 'restart/generation'), '3');
      await until(() => /the build does not serve; the current one goes on.*broken/.test(output));
      await answer(port, /^build-2 /);
      writeFileSync(path.join(dir, 'live.js'), app('build-4'));
      writeFileSync(path.join(dir, 'restart/generation'), '4');
      await answer(port, /^build-4 /);
    } finally {
      runner.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(output.match(/serving the new build/g)?.length).toBeGreaterThanOrEqual(3);
    expect(output).toMatch(/shutdown complete/);
  }, 60_000);
});
