import { context, propagation } from '@opentelemetry/api';

/**
 * Adds the current trace's W3C headers (`traceparent`, `tracestate`, `baggage`) to a call to the backend, so the
 * backend's spans join the frontend's trace. With tracing off no propagator is registered and nothing is added
 * (a `traceparent` the browser sent, copied by the forwarder, then passes through unchanged).
 */
export function withTraceContext(init?: HeadersInit): Headers {
  const headers = new Headers(init);
  propagation.inject(context.active(), headers, { set: (carrier, key, value) => carrier.set(key, value) });
  return headers;
}
