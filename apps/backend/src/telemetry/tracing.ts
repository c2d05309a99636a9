/**
 * The OpenTelemetry SDK, loaded only when tracing is on (`await import()` from server.ts; its own chunk of the
 * bundle): with tracing off the process never parses it, and @opentelemetry/api's calls stay no-ops.
 *
 * Spans come from the app's own hooks (plugins/app/tracing.ts: one SERVER span per request, continuing the
 * caller's `traceparent`) and the database client (db/tracing.ts: one CLIENT span per query), not from
 * monkey-patching instrumentations: the backend runs as one esbuild bundle, where require-in-the-middle hooks on
 * `pg` or `http` never fire.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { TracingConfig } from '../config.js';

export interface Tracing {
  /** Exports the spans still queued, then stops. */
  shutdown(): Promise<void>;
}

/** OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG, as the specification defines them. */
function sampler({ name, ratio }: TracingConfig['sampler']): Sampler {
  const root = name.endsWith('always_off')
    ? new AlwaysOffSampler()
    : name.endsWith('traceidratio')
      ? new TraceIdRatioBasedSampler(ratio)
      : new AlwaysOnSampler();
  return name.startsWith('parentbased_') ? new ParentBasedSampler({ root }) : root;
}

/**
 * Registers the global tracer provider, W3C trace-context and baggage propagators and an AsyncLocalStorage context
 * manager. `exporter` replaces the configured one and exports each span as it ends (tests: an in-memory exporter).
 */
export function startTracing(config: TracingConfig, exporter?: SpanExporter): Tracing {
  const processor = exporter
    ? new SimpleSpanProcessor({ exporter })
    : config.exporter === 'console'
      ? new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() })
      : // Endpoint, headers, timeout and compression from OTEL_EXPORTER_OTLP_* (default http://localhost:4318).
        new BatchSpanProcessor({ exporter: new OTLPTraceExporter() });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName }).merge(
      detectResources({ detectors: [envDetector] }),
    ),
    sampler: sampler(config.sampler),
    spanProcessors: [processor],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  trace.setGlobalTracerProvider(provider);
  return {
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}
