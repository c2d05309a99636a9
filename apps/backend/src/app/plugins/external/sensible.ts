import fp from 'fastify-plugin';
import sensible from '@fastify/sensible';

/**
 * `reply.notFound()`, `reply.forbidden()`... and `app.httpErrors`: HTTP errors as values that go through our one
 * error handler (plugins/app/errors.ts), so every 4xx leaves as `{detail}`.
 */
export default fp(
  async (app) => {
    await app.register(sensible);
  },
  { name: 'sensible' },
);
