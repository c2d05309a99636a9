import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace, type Span } from '@opentelemetry/api';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
} from '@opentelemetry/semantic-conventions';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

const spans = new WeakMap<FastifyRequest, Span>();

/**
 * One SERVER span per request (tracing on only: OTEL_* variables, see config.ts), continuing the trace of the
 * caller's `traceparent` (the frontend's forwarder and server components send theirs). The rest of the request runs
 * inside the span's context, so the database's query spans (db/tracing.ts) become its children. Named and
 * finished in `onResponse` as `METHOD /route/:pattern`, following the HTTP semantic conventions.
 */
export default fp(
  async (app) => {
    if (!app.config.tracing) return;
    const tracer = trace.getTracer('todo-backend');

    app.addHook('onRequest', (request, _reply, done) => {
      const parent = propagation.extract(ROOT_CONTEXT, request.headers);
      const span = tracer.startSpan(
        request.method,
        {
          kind: SpanKind.SERVER,
          attributes: {
            [ATTR_HTTP_REQUEST_METHOD]: request.method,
            [ATTR_URL_PATH]: request.url.split('?')[0],
            [ATTR_URL_SCHEME]: request.protocol,
            [ATTR_CLIENT_ADDRESS]: request.ip,
            [ATTR_USER_AGENT_ORIGINAL]: request.headers['user-agent'],
          },
        },
        parent,
      );
      spans.set(request, span);
      // Fastify runs the next hooks and the handler from `done`: they inherit the span's context.
      context.with(trace.setSpan(parent, span), done);
    });

    app.addHook('onError', async (request, _reply, error) => {
      spans.get(request)?.recordException(error);
    });

    const finish = (request: FastifyRequest, statusCode?: number) => {
      const span = spans.get(request);
      if (!span) return;
      spans.delete(request);
      const route = request.routeOptions.url;
      if (route) {
        span.updateName(`${request.method} ${route}`);
        span.setAttribute(ATTR_HTTP_ROUTE, route);
      }
      if (statusCode === undefined) {
        span.setAttribute(ATTR_ERROR_TYPE, 'aborted');
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'client closed the connection' });
      } else {
        span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, statusCode);
        if (statusCode >= 500) {
          span.setAttribute(ATTR_ERROR_TYPE, String(statusCode));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
      }
      span.end();
    };
    app.addHook('onResponse', async (request, reply) => finish(request, reply.statusCode));
    app.addHook('onRequestAbort', async (request) => finish(request));
  },
  { name: 'tracing', dependencies: ['config'] },
);
