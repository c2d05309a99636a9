/**
 * `npm run bench`: requests/s and latency of the API's hot routes for the production bundle
 * (dist/main.js) against a real PostgreSQL, each route's share of the raw-SQL ceiling (pgbench
 * running the route's own statements at the same concurrency), the server's peak RSS, and cold start.
 * Uses BENCH_DATABASE_URL when set, else a throwaway local PostgreSQL cluster.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon, { type Options, type Result } from 'autocannon';
import pg from 'pg';
import { findPostgresBinDir, freePort, startPostgresServer } from '../test/setup/postgres-global-setup.js';
import { pgbench } from './pgbench.js';
import { peakRss } from './rss.js';

const DURATION_S = Number(process.env['BENCH_DURATION'] ?? 10);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 10);
const SEEDED_TASKS = 20;
// Each user may hold LIMITS.tasksPerUser tasks: the create run spreads its inserts over this many writers, so every
// measured request is a real insert (a capped user would answer 409 without writing).
const WRITERS = 40;
const COLD_STARTS = 5;
// BENCH_BUNDLE: another build (e.g. of an older commit) to compare against, with the same load.
const bundle = process.env['BENCH_BUNDLE'] ?? fileURLToPath(new URL('../dist/main.js', import.meta.url));
const pgbenchScript = (name: string) => fileURLToPath(new URL(`./pgbench/${name}.sql`, import.meta.url));

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
  const nodeOptions = process.env['BENCH_NODE_OPTIONS']?.split(' ').filter(Boolean) ?? [];
  return spawn(process.execPath, [...nodeOptions, bundle, ...args], {
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

interface RouteResult {
  name: string;
  result: Result;
  /** pgbench transactions/s for the same statements, when the route has a script. */
  ceiling?: number;
}

function row({ name, result, ceiling }: RouteResult): string {
  const errors = result.errors + result.timeouts + result.non2xx;
  const rps = result.requests.average;
  const share = ceiling ? `${Math.round(ceiling)} | ${Math.round((rps / ceiling) * 100)}%` : '– | –';
  return `| ${name} | ${Math.round(rps)} | ${result.latency.p50} | ${result.latency.p99} | ${share} | ${errors} |`;
}

async function main(): Promise<void> {
  const server = process.env['BENCH_DATABASE_URL'] ? undefined : await startPostgresServer();
  const serverUrl = process.env['BENCH_DATABASE_URL'] ?? server!.url;
  const databaseUrl = await createDatabase(serverUrl);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env['BENCH_LOG_LEVEL'] ?? 'info',
    DATABASE_URL: databaseUrl,
    BETTER_AUTH_SECRET: 'bench-secret-bench-secret-bench-secret',
    BETTER_AUTH_URL: base,
    // The benchmark measures the routes, not their rate limits.
    CHAT_RATE_LIMIT: '1000000',
    MCP_RATE_LIMIT: '1000000',
    AUTH_RATE_LIMIT: '1000000',
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
      const writers: { token: string; user: { id: string } }[] = [];
      for (let i = 0; i < WRITERS; i++) writers.push(await signUp(`writer${i}@bench.test`));
      const ceilingWriter = await signUp('ceiling-writer@bench.test');
      const chatter = await signUp('chatter@bench.test');
      for (const user of [reader, chatter]) {
        for (let i = 0; i < SEEDED_TASKS; i++) {
          await json(
            await fetch(`${base}/api/${user.user.id}/tasks`, {
              method: 'POST',
              headers: { ...headers, authorization: `Bearer ${user.token}` },
              body: JSON.stringify({ title: `Seeded task ${i}` }),
            }),
          );
        }
      }

      const pid = child.pid;
      if (pid === undefined) throw new Error('the server process has no pid');
      const load = (options: Omit<Options, 'connections' | 'duration'>) =>
        peakRss(pid, () => autocannon({ connections: CONNECTIONS, duration: DURATION_S, ...options }));
      const bearer = (user: { token: string }) => ({
        authorization: `Bearer ${user.token}`,
        'content-type': 'application/json',
      });
      const ceiling = (script: string, user: { token: string; user: { id: string } }) =>
        pgbench({
          binDir: findPostgresBinDir(),
          url: databaseUrl,
          script: pgbenchScript(script),
          clients: CONNECTIONS,
          seconds: DURATION_S,
          variables: { token: user.token, user_id: user.user.id },
        });

      let nextWriter = 0;
      const routes: RouteResult[] = [];
      let rss = 0;
      // BENCH_ROUTES=tasks (a substring of the route names): only those, e.g. for a CPU profile of one route.
      const only = process.env['BENCH_ROUTES'];
      const measure = async (
        name: string,
        options: Omit<Options, 'connections' | 'duration'>,
        sql?: () => Promise<number>,
      ) => {
        if (only && !name.includes(only)) return;
        const { result, peakBytes } = await load(options);
        rss = Math.max(rss, peakBytes);
        routes.push({ name, result, ceiling: await sql?.() });
      };

      await measure('GET /health', { url: `${base}/health` });
      await measure(
        `GET /api/{user_id}/tasks (${SEEDED_TASKS} tasks)`,
        { url: `${base}/api/${reader.user.id}/tasks`, headers: bearer(reader) },
        () => ceiling('list', reader),
      );
      await measure(
        'POST /api/{user_id}/tasks',
        {
          url: base,
          requests: [
            {
              method: 'POST',
              body: JSON.stringify({ title: 'Benchmark task', description: 'created by autocannon' }),
              // Round robin over the writers: a new user's path and token for each request.
              setupRequest: (request) => {
                const writer = writers[nextWriter++ % writers.length]!;
                return { ...request, path: `/api/${writer.user.id}/tasks`, headers: bearer(writer) };
              },
            },
          ],
        },
        // pgbench inserts for one user: once at the cap its statement still runs (count, no row), as the route's would.
        () => ceiling('create', ceilingWriter),
      );
      await measure('POST /api/{user_id}/chat ("show my tasks", offline agent)', {
        url: `${base}/api/${chatter.user.id}/chat`,
        method: 'POST',
        headers: bearer(chatter),
        body: JSON.stringify({ message: 'show my tasks' }),
      });
      await measure('POST /mcp (tools/call list_tasks)', {
        url: `${base}/mcp`,
        method: 'POST',
        headers: { ...bearer(chatter), accept: 'application/json, text/event-stream' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name: 'list_tasks', arguments: {} },
        }),
      });

      const cpu = cpus()[0]?.model ?? 'unknown CPU';
      console.log(
        `\nMachine: ${cpus().length} x ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load average ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}`,
      );
      console.log(`Load: ${CONNECTIONS} connections, ${DURATION_S} s per route, LOG_LEVEL=${env.LOG_LEVEL}\n`);
      console.log('| route | req/s (avg) | p50 ms | p99 ms | pgbench tx/s (same SQL) | share | errors + non-2xx |');
      console.log('|---|---|---|---|---|---|---|');
      for (const route of routes) console.log(row(route));
      console.log(`\nBackend peak RSS under load: ${Math.round(rss / 2 ** 20)} MB`);
      console.log(
        `Cold start to /ready (${COLD_STARTS} runs): median ${Math.round(starts[Math.floor(COLD_STARTS / 2)] ?? 0)} ms, min ${Math.round(starts[0] ?? 0)} ms, max ${Math.round(starts.at(-1) ?? 0)} ms`,
      );
    } finally {
      await stop(child);
    }
  } finally {
    server?.stop();
  }
}

await main();
