import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createAuth, createUserResolver, type Auth, type SessionUser } from '../../../auth/auth.js';
import { createRevocationFeed } from '../../../auth/revocations.js';
import { createSessionCache } from '../../../auth/session-cache.js';

declare module 'fastify' {
  interface FastifyInstance {
    auth: Auth;
    /** onRequest hook: resolves the session from the cookie or `Authorization: Bearer`, or answers 401. */
    authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  }
  interface FastifyRequest {
    user?: SessionUser;
  }
}

/** Better Auth as `fastify.auth`, and `fastify.authenticate` for the routes that need a signed-in user. */
export default fp(
  async (app) => {
    const sessionCache = createSessionCache(app.config.sessionCache);
    const revocations = createRevocationFeed(app.database, sessionCache, app.log);
    // With the cache off (TTL 0) there is nothing to keep fresh here; sign-outs are still announced to others.
    if (app.config.sessionCache.ttlMs > 0) await revocations.start();
    app.addHook('onClose', () => revocations.stop());
    const auth = createAuth(app.config, app.database.db, app.log, sessionCache, revocations);
    const resolveUser = await createUserResolver(auth, app.database.db, app.config.auth.secret, sessionCache);
    app.decorate('auth', auth);
    app.decorateRequest('user', undefined);
    app.decorateRequest('userId', undefined);
    app.decorate('authenticate', async (request: FastifyRequest, reply: FastifyReply) => {
      const user = await resolveUser(request.headers);
      if (!user) {
        reply.header('www-authenticate', 'Bearer');
        return reply.unauthorized('Not authenticated: sign in, or send Authorization: Bearer <token>.');
      }
      request.user = user;
      request.userId = user.id;
    });
  },
  { name: 'auth', dependencies: ['config', 'database', 'sensible'] },
);
