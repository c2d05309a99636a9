import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import ipaddr from 'ipaddr.js';

/**
 * Whose budget an address spends. IPv4 addresses count one by one; an IPv4 address written as IPv6
 * (`::ffff:203.0.113.7`, what a dual-stack socket reports) counts as that IPv4 address; an IPv6 address counts by
 * its /64, the smallest block a subscriber gets (RFC 6177), which holds 2^64 addresses to take a fresh one from per
 * request. Anything that is not an address counts as itself.
 */
export function clientKey(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address); // IPv4-mapped IPv6 becomes IPv4
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const [a, b, c, d] = (parsed as ipaddr.IPv6).parts;
  return `${new ipaddr.IPv6([a, b, c, d, 0, 0, 0, 0]).toString()}/64`;
}

/** The client behind a request (trusted proxy hops applied, see app.ts), as every rate limit counts it. */
export const clientOf = (request: FastifyRequest): string => clientKey(request.ip);

export interface Budget {
  /** Namespaces the counters: budgets never share a key. */
  name: string;
  max: number;
  windowSeconds: number;
  /** Whose budget a request spends: the client by default (`clientOf`). */
  key?: (request: FastifyRequest) => string;
}

/**
 * A hook that spends one unit of a budget per request and answers 429 with Retry-After, in the API's `{detail}`
 * shape, once it is used up. Counted in the shared store, so replicas behind one database enforce one budget.
 */
export function budgetHook(app: FastifyInstance, budget: Budget) {
  const keyOf = budget.key ?? clientOf;
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const { count, ttlMs } = await app.rateLimitStore.hit(
      `${budget.name}|${keyOf(request)}`,
      budget.windowSeconds * 1000,
    );
    if (count <= budget.max) return;
    const retryAfter = Math.max(1, Math.ceil(ttlMs / 1000));
    request.log.info({ budget: budget.name, client: clientOf(request) }, 'rate limited');
    reply.header('retry-after', String(retryAfter));
    return reply.tooManyRequests(`Too many requests: try again in ${retryAfter} seconds.`);
  };
}
