/**
 * `npx nx run backend:bench-telemetry`: what metrics and tracing cost on the list route. The production bundle
 * (dist/main.js) runs against a real PostgreSQL in each variant below, one at a time, in interleaved rounds (A B C D,
 * A B C D...) so a change in the shared machine's load hits every variant alike; each round loads
 * `GET /api/{user_id}/tasks` (20 tasks) with autocannon. Reports the median req/s and the median server CPU time
 * per request (steadier than req/s on a busy machine) of each variant, and each one's difference from the first.
 *
 *   not installed   BENCH_BASELINE_BUNDLE: a build of the commit before telemetry (skipped when unset)
 *   off             this build, no METRICS_PORT, no OTEL_* (the default)
 *   metrics on      METRICS_PORT set (the chart's default), scraped every second as Prometheus would, faster
 *   tracing on      OTEL_TRACES_EXPORTER=otlp to a local sink that accepts every export (sampling every request)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { freePort, waitUntilAnswers } from '@todo-stack/testing';
import { startPostgresServer } from '../test/setup/postgres-global-setup.js';
import { createMetrics } from '../src/telemetry/metrics.js';
import { cpuMs } from './rss.js';

const DURATION_S = Number(process.env['BENCH_DURATION'] ?? 5);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 10);
const SEEDED_TASKS = 20;
const bundle = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const baseline = process.env['BENCH_BASELINE_BUNDLE'];
// BENCH_VARIANTS=off,metrics: only the variants whose names start with one of these.
const only = process.env['BENCH_VARIANTS'];
// As the image runs it (apps/backend/Dockerfile).
const NODE_FLAGS = ['--max-semi-space-size=4', '--no-allocation-site-pretenuring', '--max-old-space-size=64'];

interface Variant {
  name: string;
  bundle: string;
  env: Record<string, string>;
  /** Scrape the metrics listener while loading. */
  scrape?: boolean;
}

function start(variant: Variant, env: Record<string, string>, args: string[] = []): ChildProcess {
  return spawn(process.execPath, [...NODE_FLAGS, variant.bundle, ...args], {
    env: { PATH: process.env['PATH'] ?? '', MALLOC_ARENA_MAX: '2', ...env, ...variant.env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Resolves once `url` answers 200; fails if the server exits first. */
const until = (child: ChildProcess, url: string): Promise<void> =>
  waitUntilAnswers(url, { process: child, intervalMs: 20, what: `the server to answer ${url}` });

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

/** An OTLP/HTTP endpoint that accepts every export and counts the requests (a collector's cheapest stand-in). */
async function otlpSink(): Promise<{ url: string; exports: () => number; close: () => void }> {
  let count = 0;
  const server = createServer((request, response) => {
    request.resume().on('end', () => {
      count++;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, exports: () => count, close: () => server.close() };
}

/**
 * The metrics' own work, in process: the CPU time of recording one response (what the onResponse hook adds to every
 * request) and of one scrape. Steadier than the servers' figures on a busy machine, and small enough beside a
 * request's CPU time that the end-to-end runs cannot resolve it.
 */
async function metricsWork(): Promise<void> {
  const metrics = createMetrics();
  const sample = { method: 'GET', route: '/api/:user_id/tasks', statusCode: 200, seconds: 0.002 };
  for (let i = 0; i < 200_000; i++) metrics.request(sample);
  const perCall: number[] = [];
  for (let round = 0; round < 5; round++) {
    const before = process.cpuUsage();
    for (let i = 0; i < 1_000_000; i++) metrics.request(sample);
    const used = process.cpuUsage(before);
    perCall.push((used.user + used.system) / 1_000_000);
  }
  const scrapes: number[] = [];
  for (let i = 0; i < 20; i++) {
    const before = process.cpuUsage();
    await metrics.registry.metrics();
    const used = process.cpuUsage(before);
    scrapes.push((used.user + used.system) / 1000);
  }
  console.log(
    `Recording one response: ${median(perCall).toFixed(2)} µs CPU (median of 5 x 1M); one scrape: ${median(scrapes).toFixed(1)} ms CPU (median of 20)`,
  );
}

async function main(): Promise<void> {
  await metricsWork();
  const server = process.env['BENCH_DATABASE_URL'] ? undefined : await startPostgresServer();
  const serverUrl = process.env['BENCH_DATABASE_URL'] ?? server!.url;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  const name = `todo_bench_telemetry_${Date.now()}`;
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;

  const sink = await otlpSink();
  const port = await freePort();
  const metricsPort = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'info',
    DATABASE_URL: url.toString(),
    BETTER_AUTH_SECRET: 'bench-secret-bench-secret-bench-secret',
    BETTER_AUTH_URL: base,
    AUTH_RATE_LIMIT: '1000000',
  };
  const all: Variant[] = [
    ...(baseline ? [{ name: 'not installed (baseline build)', bundle: baseline, env: {} }] : []),
    { name: 'off (default)', bundle, env: {} },
    { name: 'metrics on', bundle, env: { METRICS_PORT: String(metricsPort) }, scrape: true },
    { name: 'metrics on, not scraped', bundle, env: { METRICS_PORT: String(metricsPort) } },
    { name: 'tracing on (OTLP, every request)', bundle, env: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url } },
  ];
  const variants = all.filter((variant) => !only || only.split(',').some((name) => variant.name.startsWith(name)));

  const migrate = start(variants[0]!, env, ['migrate']);
  await new Promise((resolve) => migrate.once('exit', resolve));
  const seeding = start(variants[0]!, env);
  await until(seeding, `${base}/ready`);
  const headers = { 'content-type': 'application/json', origin: base };
  const signUp = await fetch(`${base}/api/auth/sign-up/email`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ email: 'reader@bench.test', password: 'bench-password-123', name: 'Bench' }),
  });
  const reader = (await signUp.json()) as { token: string; user: { id: string } };
  const bearer = { authorization: `Bearer ${reader.token}` };
  for (let i = 0; i < SEEDED_TASKS; i++) {
    await fetch(`${base}/api/${reader.user.id}/tasks`, {
      method: 'POST',
      headers: { ...headers, ...bearer },
      body: JSON.stringify({ title: `Seeded task ${i}` }),
    });
  }
  await stop(seeding);

  const results = new Map(variants.map((v) => [v.name, { rps: [] as number[], cpu: [] as number[], errors: 0 }]));
  const report = (rounds: number) => {
    console.log(
      `\n${cpus().length} x ${cpus()[0]?.model}, Node ${process.version}, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    console.log(
      `GET /api/{user_id}/tasks (${SEEDED_TASKS} tasks), ${CONNECTIONS} connections, ${rounds} rounds of ${DURATION_S} s; OTLP exports received: ${sink.exports()}\n`,
    );
    console.log('| variant | median req/s | vs first | median CPU ms/request | vs first | errors |');
    console.log('|---|---|---|---|---|---|');
    const first = results.get(variants[0]!.name)!;
    const pct = (value: number, reference: number) =>
      `${value >= reference ? '+' : ''}${(((value - reference) / reference) * 100).toFixed(1)}%`;
    for (const [name, { rps, cpu, errors }] of results) {
      console.log(
        `| ${name} | ${Math.round(median(rps))} | ${pct(median(rps), median(first.rps))} | ${median(cpu).toFixed(3)} | ${pct(median(cpu), median(first.cpu))} | ${errors} |`,
      );
    }
  };
  let running: ChildProcess | undefined;
  // Ctrl-C: stop the server and the throwaway cluster rather than leave them behind.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      running?.kill('SIGKILL');
      server?.stop();
      process.exit(130);
    });
  }
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const variant of variants) {
        const child = (running = start(variant, env));
        await until(child, `${base}/ready`);
        const scraper = variant.scrape
          ? setInterval(() => void fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text()), 1000)
          : undefined;
        const load = { url: `${base}/api/${reader.user.id}/tasks`, headers: bearer, connections: CONNECTIONS };
        // Warm-up (JIT, pool, session cache), then the measured run.
        await autocannon({ ...load, duration: 1 });
        const cpuBefore = cpuMs(child.pid!);
        const result = await autocannon({ ...load, duration: DURATION_S });
        const cpu = cpuMs(child.pid!) - cpuBefore;
        clearInterval(scraper);
        await stop(child);
        const entry = results.get(variant.name)!;
        entry.rps.push(result.requests.average);
        entry.cpu.push(cpu / (result.requests.total || 1));
        entry.errors += result.errors + result.timeouts + result.non2xx;
        console.error(`round ${round + 1}/${ROUNDS} ${variant.name}: ${Math.round(result.requests.average)} req/s`);
      }
      if (round < ROUNDS - 1) report(round + 1);
    }
    report(ROUNDS);
  } finally {
    sink.close();
    server?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
