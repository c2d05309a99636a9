import type { FastifyInstance } from 'fastify';
import { asUser, buildTestApp, signUp, ENGINE, type TestUser } from '../helper.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import type {} from '../../src/app/plugins/app/metrics.js';

/** One sample of `series` (name plus labels exactly as Prometheus prints them), or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('Prometheus metrics on their own listener (METRICS_PORT)', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let api: string;
  let metricsUrl: string;
  let user: TestUser;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await buildTestApp(db, { METRICS_PORT: '0', CHAT_RATE_LIMIT: '2' });
    api = await app.listen({ host: '127.0.0.1', port: 0 });
    metricsUrl = `http://127.0.0.1:${app.metrics!.address.port}/metrics`;
    user = await signUp(app);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await db?.dispose();
  });

  const scrape = async () => {
    const res = await fetch(metricsUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text();
  };

  it('the public listener never serves them: /metrics is a 404 there', async () => {
    const res = await fetch(`${api}/metrics`);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toMatch(/http_request_duration_seconds/);
  });

  it('the metrics listener serves nothing but GET /metrics', async () => {
    expect((await fetch(metricsUrl.replace('/metrics', '/api/auth/get-session'))).status).toBe(404);
    expect((await fetch(metricsUrl, { method: 'POST' })).status).toBe(404);
  });

  it('counts requests per route pattern and status, with their durations', async () => {
    const before = await scrape();
    const series = 'http_request_duration_seconds_count{method="GET",route="/api/:user_id/tasks",status_code="200"}';
    const start = sample(before, series) ?? 0;
    const unmatched = 'http_request_duration_seconds_count{method="GET",route="unmatched",status_code="404"}';
    const unmatchedStart = sample(before, unmatched) ?? 0;
    const as = asUser(app, user);
    for (let i = 0; i < 3; i++) expect((await as({ method: 'GET', url: '/tasks' })).statusCode).toBe(200);
    await app.inject({ url: '/no/such/path/12345' });
    await app.inject({ url: '/no/such/path/67890' });

    const after = await scrape();
    expect(sample(after, series)).toBe(start + 3);
    expect(after).toContain(
      'http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/api/:user_id/tasks",status_code="200"}',
    );
    // Unknown paths share one series: a scanner cannot grow the registry.
    expect(sample(after, unmatched)).toBe(unmatchedStart + 2);
    expect(after).not.toContain('/no/such/path');
    expect(after).not.toContain(user.id);
  });

  it('counts chat turns, tool calls and rate-limit refusals', async () => {
    const as = asUser(app, user);
    const chat = (message: string) => as({ method: 'POST', url: '/chat', payload: { message } });
    expect((await chat('add buy milk')).statusCode).toBe(200);
    expect((await chat('show my tasks')).statusCode).toBe(200);
    expect((await chat('show my tasks')).statusCode).toBe(429);

    const text = await scrape();
    expect(sample(text, 'chat_turns_total{provider="offline",outcome="ok"}')).toBe(2);
    expect(sample(text, 'chat_tool_calls_total{tool="add_task",outcome="ok"}')).toBe(1);
    expect(sample(text, 'chat_tool_calls_total{tool="list_tasks",outcome="ok"}')).toBe(1);
    expect(sample(text, 'rate_limit_refusals_total{route="/api/:user_id/chat"}')).toBe(1);
  });

  it("reports the process's event-loop lag and heap, and the database pool on PostgreSQL", async () => {
    const text = await scrape();
    expect(sample(text, 'nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    if (ENGINE === 'postgres') expect(sample(text, 'db_pool_connections{state="total"}')).toBeGreaterThan(0);
    else expect(text).not.toContain('db_pool_connections');
  });
});

describe('metrics off (no METRICS_PORT, the default)', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await buildTestApp(db);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await db?.dispose();
  });

  it('opens no listener and measures nothing', async () => {
    expect(app.metrics).toBeUndefined();
    expect((await app.inject({ url: '/metrics' })).statusCode).toBe(404);
  });
});
