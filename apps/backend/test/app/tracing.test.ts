import { randomBytes } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, signUp, type TestUser } from '../helper.js';
import { createTestDatabase, ENGINE, type TestDatabase } from '../support/test-database.js';
import { loadConfig } from '../../src/config.js';
import { startTracing, type Tracing } from '../../src/telemetry/tracing.js';

/**
 * A request as the frontend sends it (with its `traceparent`) through a listening backend on a real database,
 * recorded by the real SDK into an in-memory exporter: one trace, the backend's SERVER span a child of the caller's
 * span and the queries children of the SERVER span.
 */
describe('OpenTelemetry traces (OTEL_* set)', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let db: TestDatabase;
  let app: FastifyInstance;
  let base: string;
  let user: TestUser;

  beforeAll(async () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SERVICE_NAME: 'backend-under-test' };
    tracing = startTracing(loadConfig(env).tracing!, exporter);
    db = await createTestDatabase(ENGINE, { traced: true });
    app = await buildTestApp(db, env);
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    user = await signUp(app);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await db?.dispose();
    await tracing?.shutdown();
  });
  beforeEach(() => exporter.reset());

  const traceId = () => randomBytes(16).toString('hex');
  const spanId = () => randomBytes(8).toString('hex');
  const listTasks = (headers: Record<string, string> = {}) =>
    fetch(`${base}/api/${user.id}/tasks`, { headers: { ...headers, authorization: `Bearer ${user.token}` } });
  const serverSpans = () => exporter.getFinishedSpans().filter((span) => span.kind === SpanKind.SERVER);
  const childrenOf = (parent: ReadableSpan) =>
    exporter
      .getFinishedSpans()
      .filter(
        (span) => span.parentSpanContext?.spanId === parent.spanContext().spanId && span.kind === SpanKind.CLIENT,
      );

  it("continues the caller's trace: its span → the backend's SERVER span → the query spans", async () => {
    const [caller, callerSpan] = [traceId(), spanId()];
    const res = await listTasks({ traceparent: `00-${caller}-${callerSpan}-01` });
    expect(res.status).toBe(200);

    const [server] = serverSpans();
    expect(serverSpans()).toHaveLength(1);
    expect(server.name).toBe('GET /api/:user_id/tasks');
    expect(server.spanContext().traceId).toBe(caller);
    expect(server.parentSpanContext?.spanId).toBe(callerSpan);
    expect(server.attributes).toMatchObject({ 'http.route': '/api/:user_id/tasks', 'http.response.status_code': 200 });
    expect(server.resource.attributes['service.name']).toBe('backend-under-test');

    const queries = childrenOf(server);
    // The page of tasks and its count (the session may come from the cache, so at least the task list).
    expect(queries.length).toBeGreaterThanOrEqual(1);
    for (const query of queries) {
      expect(query.spanContext().traceId).toBe(caller);
      expect(query.attributes['db.system.name']).toBe('postgresql');
    }
    expect(queries.map((q) => q.attributes['db.query.text'])).toContainEqual(expect.stringMatching(/from "?tasks"?/i));
    // Placeholders, never the values: no user id in any statement.
    expect(JSON.stringify(queries.map((q) => q.attributes))).not.toContain(user.id);
  });

  it('starts a new trace for a request without traceparent, and keeps concurrent requests apart', async () => {
    const callers = [traceId(), traceId(), traceId()];
    await Promise.all(callers.map((id) => listTasks({ traceparent: `00-${id}-${spanId()}-01` })));
    await listTasks();

    const servers = serverSpans();
    expect(servers).toHaveLength(4);
    const roots = servers.filter((span) => !callers.includes(span.spanContext().traceId));
    expect(roots).toHaveLength(1);
    expect(roots[0].parentSpanContext).toBeUndefined();
    for (const server of servers) {
      for (const query of childrenOf(server)) expect(query.spanContext().traceId).toBe(server.spanContext().traceId);
    }
    // Every query span belongs to one of the requests: none leaked into another request's trace.
    const traceIds = new Set(servers.map((span) => span.spanContext().traceId));
    const clientSpans = exporter.getFinishedSpans().filter((span) => span.kind === SpanKind.CLIENT);
    expect(clientSpans.length).toBeGreaterThanOrEqual(4);
    for (const span of clientSpans) expect(traceIds).toContain(span.spanContext().traceId);
  });
});

describe('tracing off (no OTEL_* variables, the default)', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let db: TestDatabase;
  let app: FastifyInstance;

  beforeAll(async () => {
    // Even with an SDK registered in the process (better-auth and Drizzle then record their own spans), an app
    // configured without tracing opens no request span and times no query.
    tracing = startTracing(loadConfig({ OTEL_TRACES_EXPORTER: 'console' }).tracing!, exporter);
    db = await createTestDatabase();
    app = await buildTestApp(db);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await db?.dispose();
    await tracing?.shutdown();
  });

  it('has no tracing config, and a request opens no SERVER span and no query span', async () => {
    expect(loadConfig({}).tracing).toBeUndefined();
    expect(
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }).tracing,
    ).toBeUndefined();
    const user = await signUp(app);
    const res = await app.inject({
      url: `/api/${user.id}/tasks`,
      headers: { ...user.headers, traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01` },
    });
    expect(res.statusCode).toBe(200);
    const kinds = exporter.getFinishedSpans().map((span) => span.kind);
    expect(kinds).not.toContain(SpanKind.SERVER);
    expect(kinds).not.toContain(SpanKind.CLIENT);
  });
});
