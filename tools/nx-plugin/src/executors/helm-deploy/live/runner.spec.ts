import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** A live build as the executor leaves it: an app whose answer names its build, the runner beside it. */
const app = (build: string) => `
import { createServer } from 'node:http';
export async function serve() {
  const server = createServer((_request, response) => response.end('${build} ' + process.pid));
  await new Promise((resolve) => server.listen(Number(process.env.PORT), '127.0.0.1', resolve));
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

  it('serves each new generation from the same process, and drains on SIGTERM', async () => {
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
      writeFileSync(path.join(dir, 'live.js'), app('build-2'));
      writeFileSync(path.join(dir, 'restart/generation'), '2');
      const second = await answer(port, /^build-2 /);
      expect(second.split(' ')[1]).toBe(first.split(' ')[1]);
      expect(second.split(' ')[1]).toBe(String(runner.pid));
      // A build that fails to serve is reported; the next one serves.
      writeFileSync(path.join(dir, 'live.js'), 'export async function serve() { throw new Error("broken"); }');
      writeFileSync(path.join(dir, 'restart/generation'), '3');
      await until(() => /the build does not serve; waiting for the next one.*broken/.test(output));
      await answer(port, /ECONNREFUSED|fetch failed/);
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
