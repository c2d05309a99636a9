/**
 * `npm run bench`: requests/s and latency of the API's hot routes for the production bundle
 * (dist/main.js) against a real PostgreSQL, side by side with the FastAPI + SQLModel reference
 * (bench/fastapi, one uvicorn worker, same database, same users) and each task route's share of the
 * raw-SQL ceiling (pgbench running the route's own statements at the same concurrency), the servers'
 * peak RSS, and cold start. Uses BENCH_DATABASE_URL when set, else a throwaway local PostgreSQL cluster.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon, { type Options, type Result } from 'autocannon';
import pg from 'pg';
import { freePort, waitUntilAnswers } from '@todo-stack/testing';
import { findPostgresBinDir, startPostgresServer } from '../test/setup/postgres-global-setup.js';
import { fastapiVenv, startFastapi } from './fastapi.js';
import { pgbench } from './pgbench.js';
import { cpuMs, peakRss, rss as rssOf } from './rss.js';

const DURATION_S = Number(process.env['BENCH_DURATION'] ?? 10);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 10);
const SEEDED_TASKS = 20;
// Each user may hold LIMITS.tasksPerUser tasks: the create run spreads its inserts over this many writers, so every
// measured request is a real insert (a capped user would answer 409 without writing).
const WRITERS = 40;
const COLD_STARTS = 5;
// BENCH_FASTAPI=off: the backend alone (no Python needed).
const WITH_FASTAPI = process.env['BENCH_FASTAPI'] !== 'off';
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

/** BENCH_NODE: the command that runs node, e.g. `chroot <the image's root fs> /usr/bin/node` for the image's Node. */
const [node = process.execPath, ...nodePrefix] = process.env['BENCH_NODE']?.split(' ').filter(Boolean) ?? [];

// The image's runtime settings (apps/backend/Dockerfile: CMD, NODE_OPTIONS, MALLOC_*), so the figures are
// those of what ships; BENCH_NODE_OPTIONS and BENCH_SERVER_ENV replace them (an empty value: Node's defaults).
const nodeOptionsText = process.env['BENCH_NODE_OPTIONS'] ?? '--max-semi-space-size=2 --max-old-space-size=64';
const serverEnvText = process.env['BENCH_SERVER_ENV'] ?? 'MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=16384';
/** BENCH_SERVER_ENV="NAME=value …": environment for the server beyond the bench's own. */
const serverEnv = Object.fromEntries(
  serverEnvText
    .split(' ')
    .filter(Boolean)
    .map((pair) => pair.split('=', 2)),
);

function run(args: string[], env: Record<string, string>): ChildProcess {
  const nodeOptions = nodeOptionsText.split(' ').filter(Boolean);
  return spawn(node, [...nodePrefix, ...nodeOptions, bundle, ...args], {
    env: { PATH: process.env['PATH'] ?? '', ...env, ...serverEnv },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Resolves once `url` answers 2xx, polling every 5 ms (cold start is measured by it); rejects if `child` exits first. */
const answering = (child: ChildProcess, url: string) =>
  waitUntilAnswers(url, { process: child, intervalMs: 5, what: `the server to answer ${url}` });

/** Spawns the server and returns the milliseconds until /ready first answers 200. */
async function coldStart(env: Record<string, string>, port: number): Promise<{ child: ChildProcess; ms: number }> {
  const started = performance.now();
  const child = run([], env);
  await answering(child, `http://127.0.0.1:${port}/ready`);
  return { child, ms: performance.now() - started };
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

/** Both servers answer the reader's list with the same tasks and total, so the two are compared on equal work. */
async function sameList(ours: string, theirs: string, user: { token: string }): Promise<void> {
  const get = (url: string) =>
    fetch(url, { headers: { authorization: `Bearer ${user.token}` } })
      .then((r) => json<{ tasks: { id: number; title: string }[]; total: number }>(r))
      .then(({ tasks, total }) => JSON.stringify({ tasks: tasks.map(({ id, title }) => ({ id, title })), total }));
  const [a, b] = await Promise.all([get(ours), get(theirs)]);
  if (a !== b) throw new Error(`The FastAPI reference lists other tasks than the backend:\n${a}\n${b}`);
}

interface RouteResult {
  name: string;
  result: Result;
  /** The same route on the FastAPI reference, when it has one. */
  fastapi?: Result;
  /** pgbench transactions/s for the same statements, when the route has a script. */
  ceiling?: number;
  /** Server CPU time per completed request (ours, and the reference's when it ran): steadier than req/s on a busy machine. */
  cpuPerRequest: { ours: number; fastapi?: number };
}

/** The autocannon options of one route, for the server at `origin`. */
type Route = (origin: string) => Omit<Options, 'connections' | 'duration'>;

const failures = (result: Result) => result.errors + result.timeouts + result.non2xx;

function row({ name, result, fastapi, ceiling, cpuPerRequest }: RouteResult): string {
  const rps = result.requests.average;
  const ours = `${Math.round(rps)} | ${result.latency.p50} | ${result.latency.p99}`;
  const reference = fastapi
    ? `${Math.round(fastapi.requests.average)} | ${fastapi.latency.p50} | ${fastapi.latency.p99} | ${(rps / fastapi.requests.average).toFixed(1)}×`
    : '– | – | – | –';
  const share = ceiling ? `${Math.round(ceiling)} | ${Math.round((rps / ceiling) * 100)}%` : '– | –';
  const errors = `${failures(result)}${fastapi ? ` / ${failures(fastapi)}` : ''}`;
  const ms = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(2));
  const cpu = `${ms(cpuPerRequest.ours)} / ${ms(cpuPerRequest.fastapi)}`;
  return `| ${name} | ${ours} | ${reference} | ${share} | ${cpu} | ${errors} |`;
}

async function main(): Promise<void> {
  // First, so a missing Python fails the run before anything is started.
  const python = WITH_FASTAPI ? await fastapiVenv() : undefined;
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
      // The reference writes as users of its own, so neither server's inserts count towards the other's cap.
      const referenceWriters: typeof writers = [];
      if (python) for (let i = 0; i < WRITERS; i++) referenceWriters.push(await signUp(`ref-writer${i}@bench.test`));
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

      const referencePort = await freePort();
      const reference = python
        ? startFastapi(python, referencePort, { DATABASE_URL: databaseUrl, BETTER_AUTH_SECRET: env.BETTER_AUTH_SECRET })
        : undefined;
      try {
        const referenceBase = `http://127.0.0.1:${referencePort}`;
        if (reference) {
          await answering(reference, `${referenceBase}/health`);
          await sameList(`${base}/api/${reader.user.id}/tasks`, `${referenceBase}/api/${reader.user.id}/tasks`, reader);
        }

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
        /** autocannon on one server while sampling its RSS. */
        const load = async (target: ChildProcess, origin: string, route: Route) => {
          if (target.pid === undefined) throw new Error('a server process has no pid');
          const cpuBefore = cpuMs(target.pid);
          const { peakBytes, result } = await peakRss(target.pid, () =>
            autocannon({ connections: CONNECTIONS, duration: DURATION_S, ...route(origin) }),
          );
          const requests = result.requests.total || 1;
          return { result, peakBytes, cpuPerRequest: (cpuMs(target.pid) - cpuBefore) / requests };
        };

        // After start-up and seeding, before any load.
        const idleRss = child.pid === undefined ? 0 : rssOf(child.pid);
        const routes: RouteResult[] = [];
        const rss = { ours: 0, reference: 0 };
        // BENCH_ROUTES=tasks (a substring of the route names): only those, e.g. for a CPU profile of one route.
        const only = process.env['BENCH_ROUTES'];
        /** The route on our server, then on the reference (when it has it), then its statements on pgbench. */
        const measure = async (
          name: string,
          route: Route,
          options: { onReference?: Route; sql?: () => Promise<number> } = {},
        ) => {
          if (only && !name.includes(only)) return;
          const ours = await load(child, base, route);
          rss.ours = Math.max(rss.ours, ours.peakBytes);
          const onReference = reference && options.onReference;
          const theirs = onReference ? await load(reference, referenceBase, onReference) : undefined;
          rss.reference = Math.max(rss.reference, theirs?.peakBytes ?? 0);
          routes.push({
            name,
            result: ours.result,
            fastapi: theirs?.result,
            ceiling: await options.sql?.(),
            cpuPerRequest: { ours: ours.cpuPerRequest, fastapi: theirs?.cpuPerRequest },
          });
        };

        const health: Route = (origin) => ({ url: `${origin}/health` });
        await measure('GET /health', health, { onReference: health });
        const list: Route = (origin) => ({ url: `${origin}/api/${reader.user.id}/tasks`, headers: bearer(reader) });
        await measure(`GET /api/{user_id}/tasks (${SEEDED_TASKS} tasks)`, list, {
          onReference: list,
          sql: () => ceiling('list', reader),
        });
        /** Round robin over `users`: each request inserts for the next user, with its path and token. */
        const create =
          (users: typeof writers): Route =>
          (origin) => {
            let next = 0;
            return {
              url: origin,
              requests: [
                {
                  method: 'POST',
                  body: JSON.stringify({ title: 'Benchmark task', description: 'created by autocannon' }),
                  setupRequest: (request) => {
                    const user = users[next++ % users.length]!;
                    return { ...request, path: `/api/${user.user.id}/tasks`, headers: bearer(user) };
                  },
                },
              ],
            };
          };
        await measure('POST /api/{user_id}/tasks', create(writers), {
          onReference: create(referenceWriters),
          // pgbench inserts for one user: once at the cap its statement still runs (count, no row), as the route's would.
          sql: () => ceiling('create', ceilingWriter),
        });
        await measure('POST /api/{user_id}/chat ("show my tasks", offline agent)', (origin) => ({
          url: `${origin}/api/${chatter.user.id}/chat`,
          method: 'POST',
          headers: bearer(chatter),
          body: JSON.stringify({ message: 'show my tasks' }),
        }));
        await measure('POST /mcp (tools/call list_tasks)', (origin) => ({
          url: `${origin}/mcp`,
          method: 'POST',
          headers: { ...bearer(chatter), accept: 'application/json, text/event-stream' },
          body: JSON.stringify({
            jsonrpc: '2.0',
            id: 1,
            method: 'tools/call',
            params: { name: 'list_tasks', arguments: {} },
          }),
        }));

        const cpu = cpus()[0]?.model ?? 'unknown CPU';
        const nodeVersion = execFileSync(node, [...nodePrefix, '--version'], { encoding: 'utf8' }).trim();
        console.log(
          `\nMachine: ${cpus().length} x ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${nodeVersion}, load average ${loadavg()
            .map((l) => l.toFixed(1))
            .join(' ')}`,
        );
        console.log(
          `Load: ${CONNECTIONS} connections, ${DURATION_S} s per route and server, LOG_LEVEL=${env.LOG_LEVEL}` +
            `, node flags: ${nodeOptionsText || '(none)'}, server env: ${serverEnvText || '(none)'}` +
            (reference ? '; FastAPI: 1 uvicorn worker, access log on' : '; FastAPI reference off') +
            '\n',
        );
        console.log(
          '| route | req/s | p50 ms | p99 ms | FastAPI req/s | FastAPI p50 | FastAPI p99 | ours/FastAPI | pgbench tx/s (same SQL) | share of pgbench | CPU ms/request (ours / FastAPI) | errors + non-2xx (ours / FastAPI) |',
        );
        console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
        for (const route of routes) console.log(row(route));
        const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;
        console.log(
          `\nPeak RSS under load: backend ${mb(rss.ours)} (${mb(idleRss)} before the load)${reference ? `, FastAPI reference ${mb(rss.reference)}` : ''}`,
        );
        console.log(
          `Cold start to /ready (${COLD_STARTS} runs): median ${Math.round(starts[Math.floor(COLD_STARTS / 2)] ?? 0)} ms, min ${Math.round(starts[0] ?? 0)} ms, max ${Math.round(starts.at(-1) ?? 0)} ms`,
        );
      } finally {
        if (reference) await stop(reference);
      }
    } finally {
      await stop(child);
    }
  } finally {
    server?.stop();
  }
}

await main();
