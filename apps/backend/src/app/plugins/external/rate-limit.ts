import fp from 'fastify-plugin';
import rateLimit from '@fastify/rate-limit';
import { clientOf } from '../../client-budget.js';
import { createRateLimitStore, type RateLimitStore } from '../../../rate-limit/store.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The shared counters, for budgets that are not one route's `config.rateLimit` (every auth write). */
    rateLimitStore: RateLimitStore;
  }
}

const SWEEP_INTERVAL_MS = 5 * 60_000;

type IncrCallback = (error: Error | null, result?: { current: number; ttl: number }) => void;

/** The same counters behind @fastify/rate-limit's store interface (its routes' `config.rateLimit`). */
function fastifyRateLimitStore(store: RateLimitStore) {
  return class SharedRateLimitStore {
    incr(key: string, callback: IncrCallback, timeWindow: number): void {
      store.hit(key, timeWindow).then(
        ({ count, ttlMs }) => callback(null, { current: count, ttl: ttlMs }),
        (error: Error) => callback(error),
      );
    }

    child(): SharedRateLimitStore {
      return this;
    }
  };
}

/**
 * Opt-in per route (`config.rateLimit`): sign-in against brute force, chat and MCP against runaway clients.
 * Counters live in the database, so every replica enforces the same budget (see rate-limit/store.ts).
 */
export default fp(
  async (app) => {
    const store = createRateLimitStore(app.database.db);
    app.decorate('rateLimitStore', store);
    await app.register(rateLimit, {
      global: false,
      store: fastifyRateLimitStore(store),
      // Routes that key on something else (a user, an account) say so in their own `keyGenerator`.
      keyGenerator: clientOf,
      errorResponseBuilder: (_request, context) => ({
        statusCode: context.statusCode,
        code: 'RATE_LIMITED',
        message: `Too many requests: try again in ${Math.ceil(context.ttl / 1000)} seconds.`,
      }),
    });
    const sweeper = setInterval(() => {
      store.sweep().catch((err: unknown) => app.log.warn({ err }, 'rate limit sweep failed'));
    }, SWEEP_INTERVAL_MS);
    sweeper.unref();
    app.addHook('onClose', async () => clearInterval(sweeper));
  },
  { name: 'rate-limit', dependencies: ['config', 'database'] },
);
