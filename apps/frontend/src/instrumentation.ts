/**
 * Next.js' instrumentation hook, run once when the server starts. Tracing is off unless the standard OTEL_*
 * variables name an exporter or an OTLP endpoint (the backend's rule, apps/backend/src/config.ts); only then is the
 * SDK loaded. Next.js then records its own spans (each request, rendering, route handlers) with it, and the calls
 * to the backend carry `traceparent` (lib/trace-context.ts), so one trace runs browser request → Next.js →
 * backend → PostgreSQL.
 */
export async function register(): Promise<void> {
  if (process.env['NEXT_RUNTIME'] !== 'nodejs') return;
  const { tracingEnabled, startTracing } = await import('./instrumentation-node');
  if (tracingEnabled(process.env)) startTracing(process.env);
}
