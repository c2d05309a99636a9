import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { AuthResponse } from '@todo-stack/shared';
import { freePort, waitFor, waitUntilAnswers } from '@todo-stack/testing';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const backendRoot = fileURLToPath(new URL('../..', import.meta.url));
const GRACE_MS = 8_000;
/** These tests start real processes that compile the TypeScript sources on the way: slow on a busy machine. */
const PROCESS_TEST_TIMEOUT_MS = 120_000;

/** Starts the real server (src/main.ts, as `node main.js` would run it) and waits for /ready. */
async function startServer(db: TestDatabase, port: number): Promise<{ child: ChildProcess; output: () => string }> {
  if (db.config.kind !== 'postgres') throw new Error('needs PostgreSQL');
  let output = '';
  const child = spawn(process.execPath, ['--import', '@swc-node/register/esm-register', 'src/main.ts'], {
    cwd: backendRoot,
    env: {
      PATH: process.env['PATH'],
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: db.config.url,
      BETTER_AUTH_SECRET: 'x'.repeat(48),
      BETTER_AUTH_URL: `http://127.0.0.1:${port}`,
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    await waitUntilAnswers(`http://127.0.0.1:${port}/ready`, { process: child, output: () => output, intervalMs: 50 });
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { child, output: () => output };
}

/** A POST whose body is sent in two halves, so the request is in flight for as long as we like. */
function slowPost(port: number, path: string, token: string, body: string) {
  const half = Math.floor(body.length / 2);
  let finish: () => void = () => undefined;
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${token}`,
        },
      },
      (res) => {
        let data = '';
        res.on('data', (chunk: Buffer) => (data += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
      },
    );
    req.on('error', reject);
    req.write(body.slice(0, half));
    finish = () => req.end(body.slice(half));
  });
  return { response, finish: () => finish() };
}

describe('graceful shutdown (real process, real PostgreSQL)', () => {
  const children: ChildProcess[] = [];
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('postgres');
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await db?.dispose();
  });

  it(
    'on SIGTERM finishes every in-flight request, refuses new ones and exits 0 within the grace period',
    async () => {
      const port = await freePort();
      const { child, output } = await startServer(db, port);
      children.push(child);
      const base = `http://127.0.0.1:${port}`;
      const signUp = await fetch(`${base}/api/auth/sign-up/email`, {
        method: 'POST',
        // Better Auth's CSRF check wants an Origin from fetch-style clients (undici sends Sec-Fetch-Mode).
        headers: { 'content-type': 'application/json', origin: base },
        body: JSON.stringify({ email: 'shutdown@example.test', password: 'correct-horse-battery', name: 'S' }),
      });
      expect(signUp.status).toBe(200);
      const { token, user } = (await signUp.json()) as AuthResponse;

      const inFlight = Array.from({ length: 10 }, (_, i) =>
        slowPost(
          port,
          `/api/${user.id}/tasks`,
          token,
          JSON.stringify({ title: `in flight ${i}`, description: 'x'.repeat(500) }),
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 300)); // every request has reached the server

      const exited = new Promise<{ code: number | null; ms: number }>((resolve) => {
        const start = Date.now();
        child.once('exit', (code) => resolve({ code, ms: Date.now() - start }));
      });
      child.kill('SIGTERM');
      await waitFor(() => output().includes('shutting down'), {
        what: 'the server to log that it is shutting down',
        timeoutMs: 10_000,
        intervalMs: 20,
      });

      const refused = await fetch(`${base}/health`).then(
        (r) => r.status,
        (error: Error) => error.message,
      );
      expect(refused).not.toBe(200);

      for (const request of inFlight) request.finish();
      const responses = await Promise.all(inFlight.map((request) => request.response));
      expect(responses.map((r) => r.status)).toEqual(Array(10).fill(201));

      const { code, ms } = await exited;
      expect(code).toBe(0);
      expect(ms).toBeLessThan(GRACE_MS);
      expect(output()).toContain('shutdown complete');

      const rows = await db.query<{ title: string }>('select title from tasks where user_id = $1 order by title', [
        user.id,
      ]);
      expect(rows.map((row) => row.title)).toEqual(Array.from({ length: 10 }, (_, i) => `in flight ${i}`));
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'refuses to start in production without BETTER_AUTH_SECRET, with a message that says what to do',
    async () => {
      const child = spawn(process.execPath, ['--import', '@swc-node/register/esm-register', 'src/main.ts'], {
        cwd: backendRoot,
        env: { PATH: process.env['PATH'], NODE_ENV: 'production', DATABASE_URL: 'postgres://127.0.0.1:1/none' },
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(78);
      expect(stderr).toContain('BETTER_AUTH_SECRET is required when NODE_ENV=production');
    },
    PROCESS_TEST_TIMEOUT_MS,
  );
});
