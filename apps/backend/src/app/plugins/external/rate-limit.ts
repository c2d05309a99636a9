import fp from 'fastify-plugin';
import rateLimit from '@fastify/rate-limit';

/**
 * Opt-in per route (`config.rateLimit`): sign-in against brute force, chat against runaway clients.
 * Counters live in this process; behind several replicas each one enforces the limit on its share.
 */
export default fp(
  async (app) => {
    await app.register(rateLimit, {
      global: false,
      errorResponseBuilder: (_request, context) => ({
        statusCode: context.statusCode,
        code: 'RATE_LIMITED',
        message: `Too many requests: try again in ${Math.ceil(context.ttl / 1000)} seconds.`,
      }),
    });
  },
  { name: 'rate-limit', dependencies: ['config'] },
);
