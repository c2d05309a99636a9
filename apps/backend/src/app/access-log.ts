import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set once the caller is authenticated, so the access log line can say who it was. */
    userId?: string;
  }
  interface FastifyContextConfig {
    /** Health probes: logged at debug so they don't drown the access log. */
    probe?: boolean;
  }
}

/**
 * One structured line per request, after the response: request id (bound by Fastify as `request_id`),
 * method, route, status, user and latency. No headers or bodies, so no token or password can leak.
 */
export class AccessLog extends LogController {
  constructor() {
    super({ requestIdLogLabel: 'request_id' });
  }

  override incomingRequest(): void {
    // The completed line carries everything; logging arrivals too would double the volume.
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    // A getter that builds a fresh object on every read: read once.
    const { url: route, config } = request.routeOptions;
    const query = request.url.indexOf('?');
    const fields = {
      method: request.method,
      url: query === -1 ? request.url : request.url.slice(0, query),
      route,
      status: reply.statusCode,
      user_id: request.userId,
      latency_ms: Math.round(reply.elapsedTime * 100) / 100,
      ...(error ? { err: error } : {}),
    };
    if (reply.statusCode >= 500 || error) request.log.error(fields, 'request failed');
    else if (config?.probe) request.log.debug(fields, 'request completed');
    else request.log.info(fields, 'request completed');
  }
}
