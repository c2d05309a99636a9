import fp from 'fastify-plugin';

/**
 * Guards every route under /api/{user_id}: 401 without a valid session, 403 when the path names
 * another user. Runs before validation, so anonymous callers learn nothing about the routes.
 * Two callback-style hooks: while the session is cached, no promise is made per request.
 */
export default fp(
  async (app) => {
    app.addHook('onRequest', app.authenticate);
    app.addHook('onRequest', (request, reply, done) => {
      const { user_id: pathUserId } = request.params as { user_id?: string };
      if (pathUserId !== request.user?.id) reply.forbidden('Forbidden: you can only access your own data.');
      else done();
    });
  },
  { name: 'user-scope', dependencies: ['auth'] },
);
