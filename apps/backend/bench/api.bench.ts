/**
 * `npm run bench`: requests/s and latency of GET and POST /api/{user_id}/tasks, and cold start to
 * /ready, for the production bundle (dist/main.js) against a real PostgreSQL.
 * Uses BENCH_DATABASE_URL when set, else a throwaway local PostgreSQL cluster.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon, { type Result } from 'autocannon';
import pg from 'pg';
import { freePort, startPostgresServer } from '../test/setup/postgres-global-setup.js';

const DURATION_S = Number(process.env['BENCH_DURATION'] ?? 10);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 20);
const COLD_STARTS = 5;
const bundle = fileURLToPath(new URL('../dist/main.js', import.meta.url));

async function createDatabase(serverUrl: string): Promise<string> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  const name = `todo_bench_${Date.now()}`;
  await admin.query(`create database ${name}`);
  const { rows } = await admin.query<{ server_version: string }>('show server_version');
  await admin.end();
  console.log(`PostgreSQL ${rows[0]?.server_version}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function run(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [bundle, ...args], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Spawns the server and returns the milliseconds until /ready first answers 200. */
async function coldStart(env: Record<string, string>, port: number): Promise<{ child: ChildProcess; ms: number }> {
  const started = performance.now();
  const child = run([], env);
  for (;;) {
    if (child.exitCode !== null) throw new Error('server exited during start-up');
    const ok = await fetch(`http://127.0.0.1:${port}/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { child, ms: performance.now() - started };
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function json<T>(res: Response): Promise<T> {
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

function summary(name: string, result: Result): string {
  const errors = result.errors + result.timeouts + result.non2xx;
  return `| ${name} | ${Math.round(result.requests.average)} | ${result.latency.p50} | ${result.latency.p99} | ${result.requests.total} | ${errors} |`;
}

async function main(): Promise<void> {
  const server = process.env['BENCH_DATABASE_URL'] ? undefined : await startPostgresServer();
  const databaseUrl = await createDatabase(process.env['BENCH_DATABASE_URL'] ?? server!.url);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    BETTER_AUTH_SECRET: 'bench-secret-bench-secret-bench-secret',
    BETTER_AUTH_URL: base,
  };
  try {
    await new Promise<void>((resolve, reject) =>
      run(['migrate'], env).once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`migrate exited ${code}`)),
      ),
    );

    const starts: number[] = [];
    for (let i = 0; i < COLD_STARTS; i++) {
      const { child, ms } = await coldStart(env, port);
      starts.push(ms);
      await stop(child);
    }
    starts.sort((a, b) => a - b);

    const { child } = await coldStart(env, port);
    try {
      const headers = { 'content-type': 'application/json', origin: base };
      const signUp = (email: string) =>
        fetch(`${base}/api/auth/sign-up/email`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ email, password: 'bench-password-123', name: 'Bench' }),
        }).then((r) => json<{ token: string; user: { id: string } }>(r));
      const reader = await signUp('reader@bench.test');
      const writer = await signUp('writer@bench.test');
      for (let i = 0; i < 50; i++) {
        await json(
          await fetch(`${base}/api/${reader.user.id}/tasks`, {
            method: 'POST',
            headers: { ...headers, authorization: `Bearer ${reader.token}` },
            body: JSON.stringify({ title: `Seeded task ${i}` }),
          }),
        );
      }

      const list = await autocannon({
        url: `${base}/api/${reader.user.id}/tasks?status=all&sort=created`,
        connections: CONNECTIONS,
        duration: DURATION_S,
        headers: { authorization: `Bearer ${reader.token}` },
      });
      const create = await autocannon({
        url: `${base}/api/${writer.user.id}/tasks`,
        method: 'POST',
        connections: CONNECTIONS,
        duration: DURATION_S,
        headers: { authorization: `Bearer ${writer.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'Benchmark task', description: 'created by autocannon' }),
      });

      const cpu = cpus()[0]?.model ?? 'unknown CPU';
      console.log(
        `\nMachine: ${cpus().length} x ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
      );
      console.log(`Load: ${CONNECTIONS} connections, ${DURATION_S} s per route; GET lists 50 tasks\n`);
      console.log('| route | req/s (avg) | p50 ms | p99 ms | requests | errors + non-2xx |');
      console.log('|---|---|---|---|---|---|');
      console.log(summary('GET /api/{user_id}/tasks', list));
      console.log(summary('POST /api/{user_id}/tasks', create));
      console.log(
        `\nCold start to /ready (${COLD_STARTS} runs): median ${Math.round(starts[Math.floor(COLD_STARTS / 2)] ?? 0)} ms, min ${Math.round(starts[0] ?? 0)} ms, max ${Math.round(starts.at(-1) ?? 0)} ms`,
      );
    } finally {
      await stop(child);
    }
  } finally {
    server?.stop();
  }
}

await main();
