import fp from 'fastify-plugin';

/**
 * Guards every route under /api/{user_id}: 401 without a valid session, 403 when the path names
 * another user. Runs before validation, so anonymous callers learn nothing about the routes.
 * One hook for both checks: one promise per request rather than two.
 */
export default fp(
  async (app) => {
    app.addHook('onRequest', async (request, reply) => {
      await app.authenticate(request, reply);
      // Not signed in: authenticate has answered 401.
      if (!request.user) return reply;
      const { user_id: pathUserId } = request.params as { user_id?: string };
      if (pathUserId !== request.user.id) return reply.forbidden('Forbidden: you can only access your own data.');
    });
  },
  { name: 'user-scope', dependencies: ['auth'] },
);
