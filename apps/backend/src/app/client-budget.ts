import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface Budget {
  /** Namespaces the counters: budgets never share a key. */
  name: string;
  max: number;
  windowSeconds: number;
  /** Whose budget a request spends: the client address by default (trusted proxy hops applied). */
  key?: (request: FastifyRequest) => string;
}

/**
 * A hook that spends one unit of a budget per request and answers 429 with Retry-After, in the API's `{detail}`
 * shape, once it is used up. Counted in the shared store, so replicas behind one database enforce one budget.
 */
export function budgetHook(app: FastifyInstance, budget: Budget) {
  const keyOf = budget.key ?? ((request: FastifyRequest) => request.ip);
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const { count, ttlMs } = await app.rateLimitStore.hit(
      `${budget.name}|${keyOf(request)}`,
      budget.windowSeconds * 1000,
    );
    if (count <= budget.max) return;
    const retryAfter = Math.max(1, Math.ceil(ttlMs / 1000));
    request.log.info({ budget: budget.name, client: request.ip }, 'rate limited');
    reply.header('retry-after', String(retryAfter));
    return reply.tooManyRequests(`Too many requests: try again in ${retryAfter} seconds.`);
  };
}
