import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { createAuth, createUserResolver, type Auth, type SessionUser } from '../../../auth/auth.js';
import { createRevocationFeed } from '../../../auth/revocations.js';
import { createSessionCache } from '../../../auth/session-cache.js';

declare module 'fastify' {
  interface FastifyInstance {
    auth: Auth;
    /**
     * onRequest hook (callback style): resolves the session from the cookie or `Authorization: Bearer` and sets
     * `request.user`, or answers 401. While the session is cached it calls `done` synchronously, no promise.
     */
    authenticate(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void;
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
    const signedIn = (
      request: FastifyRequest,
      reply: FastifyReply,
      done: HookHandlerDoneFunction,
      user: SessionUser | undefined,
    ) => {
      if (!user) {
        reply.header('www-authenticate', 'Bearer');
        reply.unauthorized('Not authenticated: sign in, or send Authorization: Bearer <token>.');
        return;
      }
      request.user = user;
      request.userId = user.id;
      done();
    };
    app.decorate('authenticate', (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
      let user;
      try {
        user = resolveUser(request.headers);
      } catch (error) {
        done(error as Error);
        return;
      }
      if (user instanceof Promise) user.then((found) => signedIn(request, reply, done, found), done);
      else signedIn(request, reply, done, user);
    });
  },
  { name: 'auth', dependencies: ['config', 'database', 'sensible'] },
);
