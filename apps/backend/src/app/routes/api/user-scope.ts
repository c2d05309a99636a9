import fp from 'fastify-plugin';

/**
 * Guards every route under /api/{user_id}: 401 without a valid session, 403 when the path names
 * another user. Runs before validation, so anonymous callers learn nothing about the routes.
 */
export default fp(
  async (app) => {
    app.addHook('onRequest', app.authenticate);
    app.addHook('onRequest', async (request, reply) => {
      const { user_id: pathUserId } = request.params as { user_id?: string };
      if (request.user && pathUserId !== request.user.id) {
        return reply.forbidden('Forbidden: you can only access your own data.');
      }
    });
  },
  { name: 'user-scope', dependencies: ['auth'] },
);
