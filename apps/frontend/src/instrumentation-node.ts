import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
  AlwaysOnSampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

type Env = Record<string, string | undefined>;

/** On when OTEL_TRACES_EXPORTER names an exporter or an OTLP endpoint is set, unless OTEL_SDK_DISABLED=true. */
export function tracingEnabled(env: Env): boolean {
  if (env['OTEL_SDK_DISABLED'] === 'true') return false;
  const exporter =
    env['OTEL_TRACES_EXPORTER'] ||
    (env['OTEL_EXPORTER_OTLP_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] ? 'otlp' : 'none');
  return exporter !== 'none';
}

/**
 * The frontend's tracer provider (service `todo-frontend` unless OTEL_SERVICE_NAME says otherwise), with W3C
 * propagation and an AsyncLocalStorage context manager. `exporter` replaces the configured one (tests).
 */
export function startTracing(env: Env, exporter?: SpanExporter): { shutdown(): Promise<void> } {
  const processor = exporter
    ? new SimpleSpanProcessor({ exporter })
    : env['OTEL_TRACES_EXPORTER'] === 'console'
      ? new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() })
      : new BatchSpanProcessor({ exporter: new OTLPTraceExporter() });
  const ratio = Number(env['OTEL_TRACES_SAMPLER_ARG'] ?? 1);
  const root = env['OTEL_TRACES_SAMPLER']?.endsWith('traceidratio')
    ? new TraceIdRatioBasedSampler(Number.isFinite(ratio) ? ratio : 1)
    : new AlwaysOnSampler();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: env['OTEL_SERVICE_NAME'] || 'todo-frontend' }).merge(
      detectResources({ detectors: [envDetector] }),
    ),
    sampler: new ParentBasedSampler({ root }),
    spanProcessors: [processor],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
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
