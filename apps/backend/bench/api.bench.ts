/**
 * `npm run bench`: requests/s and latency of the API's hot routes for the production bundle
 * (dist/main.js) against a real PostgreSQL, side by side with the FastAPI + SQLModel reference
 * (bench/fastapi, one uvicorn worker, same database, same users) and each task route's share of the
 * raw-SQL ceiling (pgbench running the route's own statements at the same concurrency), the servers'
 * peak RSS, and cold start. Then each task route and chat against the bare Fastify baseline (bench/bare.ts, its own
 * process, same database and users): BENCH_BARE_ROUNDS interleaved rounds of BENCH_BARE_DURATION s (ours then bare,
 * bare then ours, ...), each route's median requests/s and CPU per request on both, and the product's share of the
 * bare route by CPU time per request (the goal's figure: steady on a shared machine) and by requests/s, with how much
 * of one core each server used (which side the load was capped by).
 * The product runs with metrics on (METRICS_PORT, the chart's default), scraped every 15 s as Prometheus would.
 * Uses BENCH_DATABASE_URL when set, else a throwaway local PostgreSQL cluster.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
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
// Chat turns start a new conversation each; a user keeps at most LIMITS.conversationsPerUser, so turns are spread
// over this many users and their conversations are deleted before each chat run (every measured turn stores).
const CHATTERS = 30;
// Rounds of the comparison with the bare baseline (0: skip it), and the seconds of each run in them: many short
// interleaved runs, so a swing of the shared machine's load hits both servers of a round alike.
const BARE_ROUNDS = Number(process.env['BENCH_BARE_ROUNDS'] ?? 6);
const BARE_DURATION_S = Number(process.env['BENCH_BARE_DURATION'] ?? 5);
// BENCH_METRICS=off: the product without METRICS_PORT.
const WITH_METRICS = process.env['BENCH_METRICS'] !== 'off';
const SCRAPE_INTERVAL_MS = 15_000;
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
const nodeOptionsText =
  process.env['BENCH_NODE_OPTIONS'] ??
  '--max-semi-space-size=4 --no-allocation-site-pretenuring --max-old-space-size=64';
const serverEnvText = process.env['BENCH_SERVER_ENV'] ?? 'MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=16384';
/** BENCH_SERVER_ENV="NAME=value …": environment for the server beyond the bench's own. */
const serverEnv = Object.fromEntries(
  serverEnvText
    .split(' ')
    .filter(Boolean)
    .map((pair) => pair.split('=', 2)),
);

const nodeOptions = nodeOptionsText.split(' ').filter(Boolean);

function run(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(node, [...nodePrefix, ...nodeOptions, bundle, ...args], {
    env: { PATH: process.env['PATH'] ?? '', ...env, ...serverEnv },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** The bare baseline (bench/bare.ts) under the same node, flags and environment as the product's server. */
function runBare(env: Record<string, string>): ChildProcess {
  const script = fileURLToPath(new URL('./bare.ts', import.meta.url));
  return spawn(node, [...nodePrefix, ...nodeOptions, '--import', '@swc-node/register/esm-register', script], {
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

interface Sample {
  rps: number;
  cpu: number;
  failures: number;
}

interface BareRow {
  name: string;
  ours: Sample[];
  bare: Sample[];
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

/**
 * The product's share of the bare route, round by round (both servers of a round ran under the same load), and the
 * median over the rounds: by CPU time per request (bare / ours: the goal's figure, it moves least with the machine's
 * load) and by requests/s (ours / bare).
 */
function bareRow({ name, ours, bare }: BareRow): string {
  const rps = (samples: Sample[]) => median(samples.map((sample) => sample.rps));
  const cpu = (samples: Sample[]) => median(samples.map((sample) => sample.cpu)).toFixed(3);
  const errors = (samples: Sample[]) => samples.reduce((sum, sample) => sum + sample.failures, 0);
  const percent = (value: number) => `${Math.round(value * 100)}%`;
  const cpuShares = ours.map((sample, i) => bare[i]!.cpu / sample.cpu);
  const rpsShares = ours.map((sample, i) => sample.rps / bare[i]!.rps);
  const shares = (values: number[]) => `${percent(median(values))} (${values.map(percent).join(', ')})`;
  // How much of one core the server used while loaded: near 100% it is the bottleneck and req/s follow its CPU per
  // request; well below, something else (the load generator, PostgreSQL) capped that side and the req/s share says
  // more about the machine than about the server.
  const busy = (samples: Sample[]) => percent(median(samples.map((sample) => (sample.rps * sample.cpu) / 1000)));
  return (
    `| ${name} | ${cpu(ours)} / ${cpu(bare)} | ${shares(cpuShares)} | ${Math.round(rps(ours))} / ${Math.round(rps(bare))} | ` +
    `${shares(rpsShares)} | ${busy(ours)} / ${busy(bare)} | ${errors(ours)} / ${errors(bare)} |`
  );
}

/**
 * The bare baseline answers what the product answers: the reader's whole list page (every field, order and total),
 * and a chat turn's reply and tool call, so the two are compared on equal work.
 */
async function sameAnswers(
  ours: string,
  bare: string,
  reader: { token: string; user: { id: string } },
  chatter: { token: string; user: { id: string } },
): Promise<void> {
  const headers = (user: { token: string }) => ({
    authorization: `Bearer ${user.token}`,
    'content-type': 'application/json',
  });
  const list = (origin: string) =>
    fetch(`${origin}/api/${reader.user.id}/tasks`, { headers: headers(reader) }).then((r) => json<unknown>(r));
  const [a, b] = (await Promise.all([list(ours), list(bare)])).map((body) => JSON.stringify(body));
  if (a !== b) throw new Error(`The bare baseline lists other tasks than the backend:\n${a}\n${b}`);
  const turn = (origin: string) =>
    fetch(`${origin}/api/${chatter.user.id}/chat`, {
      method: 'POST',
      headers: headers(chatter),
      body: JSON.stringify({ message: 'show my tasks' }),
    })
      .then((r) => json<{ response: string; tool_calls: unknown }>(r))
      .then(({ response, tool_calls }) => ({ response, tool_calls }));
  const [c, d] = await Promise.all([turn(ours), turn(bare)]);
  // Keys in any order: the stored tool calls come back from jsonb, which orders them its own way.
  if (!isDeepStrictEqual(c, d)) {
    throw new Error(
      `The bare baseline answers a chat turn otherwise than the backend:\n${JSON.stringify(c)}\n${JSON.stringify(d)}`,
    );
  }
}

async function main(): Promise<void> {
  // First, so a missing Python fails the run before anything is started.
  const python = WITH_FASTAPI ? await fastapiVenv() : undefined;
  const server = process.env['BENCH_DATABASE_URL'] ? undefined : await startPostgresServer();
  const serverUrl = process.env['BENCH_DATABASE_URL'] ?? server!.url;
  const databaseUrl = await createDatabase(serverUrl);
  const port = await freePort();
  const metricsPort = await freePort();
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
    ...(WITH_METRICS ? { METRICS_PORT: String(metricsPort) } : {}),
  };
  const admin = new pg.Client({ connectionString: databaseUrl });
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
    // As Prometheus would (the chart's ServiceMonitor interval), so the registry's scrape work is in the figures.
    const scraper = WITH_METRICS
      ? setInterval(
          () => void fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text()),
          SCRAPE_INTERVAL_MS,
        )
      : undefined;
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
      const chatters: typeof writers = [];
      for (let i = 0; i < CHATTERS; i++) chatters.push(await signUp(`chatter${i}@bench.test`));
      for (const user of [reader, ...chatters]) {
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
      const chatter = chatters[0]!;
      await admin.connect();
      const ids = (users: typeof writers) => users.map(({ user }) => user.id);
      /** Before a write run: the writers' tasks and the chatters' conversations go, so every run starts alike. */
      const reset = async () => {
        await admin.query('delete from tasks where user_id = any($1)', [ids(writers)]);
        await admin.query('delete from conversations where user_id = any($1)', [ids(chatters)]);
      };

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
        const load = async (target: ChildProcess, origin: string, route: Route, duration = DURATION_S) => {
          if (target.pid === undefined) throw new Error('a server process has no pid');
          const cpuBefore = cpuMs(target.pid);
          const { peakBytes, result } = await peakRss(target.pid, () =>
            autocannon({ connections: CONNECTIONS, duration, ...route(origin) }),
          );
          const requests = result.requests.total || 1;
          return { result, peakBytes, cpuPerRequest: (cpuMs(target.pid) - cpuBefore) / requests };
        };

        // After start-up and seeding, before any load.
        const idleRss = child.pid === undefined ? 0 : rssOf(child.pid);
        const routes: RouteResult[] = [];
        const rss = { ours: 0, reference: 0, bare: 0 };
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
        /** Round robin over the chatters: each turn starts a conversation for the next one. */
        const chat: Route = (origin) => {
          let next = 0;
          return {
            url: origin,
            requests: [
              {
                method: 'POST',
                body: JSON.stringify({ message: 'show my tasks' }),
                setupRequest: (request) => {
                  const user = chatters[next++ % chatters.length]!;
                  return { ...request, path: `/api/${user.user.id}/chat`, headers: bearer(user) };
                },
              },
            ],
          };
        };
        await reset();
        await measure('POST /api/{user_id}/chat ("show my tasks", offline agent)', chat);
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

        /**
         * The product against the bare baseline, route by route, in interleaved rounds (ours then bare, then bare
         * then ours...), so a change in the shared machine's load hits both alike; writes start from the same state.
         */
        async function compareWithBare(): Promise<BareRow[]> {
          const barePort = await freePort();
          const bareBase = `http://127.0.0.1:${barePort}`;
          const everyone = [reader, ...writers, ...chatters];
          const bareServer = runBare({
            PORT: String(barePort),
            DATABASE_URL: databaseUrl,
            BARE_TOKENS: JSON.stringify(Object.fromEntries(everyone.map(({ token, user }) => [token, user.id]))),
          });
          try {
            await answering(bareServer, `${bareBase}/health`);
            await sameAnswers(base, bareBase, reader, chatter);
            await reset();
            const compared: [string, Route, boolean][] = [
              [`GET /api/{user_id}/tasks (${SEEDED_TASKS} tasks)`, list, false],
              ['POST /api/{user_id}/tasks', create(writers), true],
              ['POST /api/{user_id}/chat', chat, true],
            ];
            const rows = compared
              .filter(([name]) => !only || name.includes(only))
              .map(([name]) => ({ name, ours: [] as Sample[], bare: [] as Sample[] }));
            for (let round = 0; round < BARE_ROUNDS; round++) {
              for (const row of rows) {
                const [, route, writes] = compared.find(([name]) => name === row.name)!;
                const sides = [
                  { target: child, origin: base, samples: row.ours },
                  { target: bareServer, origin: bareBase, samples: row.bare },
                ];
                if (round % 2 === 1) sides.reverse();
                for (const side of sides) {
                  if (writes) await reset();
                  const measured = await load(side.target, side.origin, route, BARE_DURATION_S);
                  if (side.target === child) rss.ours = Math.max(rss.ours, measured.peakBytes);
                  else rss.bare = Math.max(rss.bare, measured.peakBytes);
                  side.samples.push({
                    rps: measured.result.requests.average,
                    cpu: measured.cpuPerRequest,
                    failures: failures(measured.result),
                  });
                }
                const [lastOurs, lastBare] = [row.ours.at(-1)!, row.bare.at(-1)!];
                console.error(
                  `bare round ${round + 1}/${BARE_ROUNDS} ${row.name}: ours ${Math.round(lastOurs.rps)} req/s ${lastOurs.cpu.toFixed(3)} ms CPU, ` +
                    `bare ${Math.round(lastBare.rps)} req/s ${lastBare.cpu.toFixed(3)} ms CPU`,
                );
              }
            }
            return rows;
          } finally {
            await stop(bareServer);
          }
        }

        const bare = BARE_ROUNDS > 0 ? await compareWithBare() : [];

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
        if (bare.length > 0) {
          console.log(
            `\nAgainst the bare Fastify baseline (bench/bare.ts), ${BARE_ROUNDS} interleaved rounds of ${BARE_DURATION_S} s per route and server, ` +
              `metrics ${WITH_METRICS ? 'on' : 'off'}; medians; shares: median of the rounds' (per round); ` +
              `peak RSS: backend ${mb(rss.ours)}, bare ${mb(rss.bare)}\n`,
          );
          console.log(
            '| route | CPU ms/request (ours / bare) | share of bare by CPU/request | req/s (ours / bare) | share of bare by req/s | server busy, of one core (ours / bare) | errors + non-2xx (ours / bare) |',
          );
          console.log('|---|---|---|---|---|---|---|');
          for (const row of bare) console.log(bareRow(row));
        }
      } finally {
        if (reference) await stop(reference);
      }
    } finally {
      clearInterval(scraper);
      await stop(child);
    }
  } finally {
    await admin.end().catch(() => undefined);
    server?.stop();
  }
}

await main();
