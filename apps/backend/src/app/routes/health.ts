import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody, Health, Readiness } from '@todo-stack/shared';

const READY_TIMEOUT_MS = 2_000;

/** Probes: cheap, unauthenticated, never rate limited. */
const health: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/health',
    {
      config: { probe: true },
      schema: { tags: ['health'], summary: 'The process is alive (no database call)', response: { 200: Health } },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      config: { probe: true },
      schema: {
        tags: ['health'],
        summary: 'The database answers: ready to serve traffic',
        response: { 200: Readiness, 503: Readiness, 500: ErrorBody },
      },
    },
    async (request, reply) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('database ping timed out')), READY_TIMEOUT_MS);
      });
      try {
        await Promise.race([app.database.ping(), timeout]);
        return { status: 'ready' as const, database: 'up' as const };
      } catch (err) {
        request.log.warn({ err }, 'readiness check failed');
        return reply.status(503).send({ status: 'unavailable', database: 'down' });
      } finally {
        clearTimeout(timer);
      }
    },
  );
};

export default health;
