/**
 * @jest-environment node
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { forwardToBackend } from '@/app/lib/api-forwarder';
import { readSession } from '@/app/lib/data';
import { session } from './support/fake-api';
import { startTracing, tracingEnabled } from '@/instrumentation-node';

jest.mock('next/headers', () => ({
  cookies: async () => ({ getAll: () => [{ name: 'better-auth.session_token', value: 'abc' }] }),
  headers: async () => new Headers(),
}));

/** A stand-in backend that records the headers it receives. */
async function recordingBackend(): Promise<{ url: string; seen: IncomingHttpHeaders[]; server: Server }> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(session));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

describe('tracing switch (standard OTEL_* variables)', () => {
  it('is off by default and on with an exporter or an OTLP endpoint', () => {
    expect(tracingEnabled({})).toBe(false);
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingEnabled({ OTEL_TRACES_EXPORTER: 'console' })).toBe(true);
    expect(tracingEnabled({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBe(false);
    expect(tracingEnabled({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBe(false);
  });
});

describe('/api forwarder: trace context to the backend', () => {
  let backend: Awaited<ReturnType<typeof recordingBackend>>;
  beforeAll(async () => {
    backend = await recordingBackend();
  });
  afterAll(() => new Promise((resolve) => backend.server.close(resolve)));
  beforeEach(() => (backend.seen.length = 0));

  it("with tracing on, the backend's request carries the frontend span as its parent", async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = startTracing({ OTEL_SERVICE_NAME: 'frontend-under-test' }, exporter);
    try {
      const tracer = trace.getTracer('test');
      // Stands in for the span Next.js opens around the route handler.
      const span = await tracer.startActiveSpan('GET /api/[...path]', async (active) => {
        const response = await forwardToBackend(new Request('http://localhost:3000/api/u1/tasks'), backend.url);
        expect(response.status).toBe(200);
        active.end();
        return active;
      });
      const { traceId, spanId } = span.spanContext();
      expect(backend.seen[0]?.['traceparent']).toBe(`00-${traceId}-${spanId}-01`);
      expect(exporter.getFinishedSpans()[0]?.resource.attributes['service.name']).toBe('frontend-under-test');
    } finally {
      await tracing.shutdown();
    }
  });

  it("with tracing off, adds nothing and passes the browser's own traceparent through", async () => {
    await forwardToBackend(new Request('http://localhost:3000/api/u1/tasks'), backend.url);
    const browser = `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`;
    await forwardToBackend(
      new Request('http://localhost:3000/api/u1/tasks', { headers: { traceparent: browser } }),
      backend.url,
    );
    expect(backend.seen[0]?.['traceparent']).toBeUndefined();
    expect(backend.seen[1]?.['traceparent']).toBe(browser);
  });
});

describe('server-side reads: trace context to the backend', () => {
  let backend: Awaited<ReturnType<typeof recordingBackend>>;
  beforeAll(async () => {
    backend = await recordingBackend();
    process.env['BACKEND_URL'] = backend.url;
  });
  afterAll(async () => {
    delete process.env['BACKEND_URL'];
    await new Promise((resolve) => backend.server.close(resolve));
  });

  it("readSession sends the rendering span as traceparent, beside the request's cookie", async () => {
    const tracing = startTracing({}, new InMemorySpanExporter());
    try {
      const span = await trace.getTracer('test').startActiveSpan('render /tasks', async (active) => {
        expect(await readSession()).toMatchObject({ status: 'authenticated' });
        active.end();
        return active;
      });
      const { traceId, spanId } = span.spanContext();
      expect(backend.seen[0]?.['traceparent']).toBe(`00-${traceId}-${spanId}-01`);
      expect(backend.seen[0]?.['cookie']).toBe('better-auth.session_token=abc');
    } finally {
      await tracing.shutdown();
    }
  });
});
