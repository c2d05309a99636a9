import { betterAuth } from 'better-auth/minimal';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import { bearer } from 'better-auth/plugins/bearer';
import { fromNodeHeaders } from 'better-auth/node';
import type { IncomingHttpHeaders } from 'node:http';
import { LIMITS } from '@todo-stack/shared';
import type { AppConfig } from '../config.js';
import type { AppDb } from '../db/client.js';
import { authSchema } from '../db/schema.js';
import type { RevocationFeed } from './revocations.js';
import type { SessionCache } from './session-cache.js';
import { createSessionLookup, type SessionLookup, type SessionUserRef } from './session-lookup.js';

type Level = 'error' | 'warn' | 'info' | 'debug';
export interface AuthLogger {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

/**
 * Better Auth, email + password, sessions in our PostgreSQL; bearer tokens for scripts and other clients.
 * Every session it deletes (sign-out, revocation, a deleted user) and every user it changes leaves `sessionCache`,
 * here at once and on every other instance through `revocations`.
 */
export function createAuth(
  config: AppConfig,
  db: AppDb,
  log: AuthLogger,
  sessionCache: SessionCache,
  revocations: Pick<RevocationFeed, 'publish'>,
) {
  const forgetSession = async (token: string) => {
    sessionCache.forgetSession(token);
    await revocations.publish({ session: token });
  };
  const forgetUser = async (userId: string) => {
    sessionCache.forgetUser(userId);
    await revocations.publish({ user: userId });
  };
  return betterAuth({
    appName: 'Todo Stack',
    baseURL: config.auth.baseUrl,
    basePath: '/api/auth',
    secret: config.auth.secret,
    trustedOrigins: config.frontendOrigins,
    database: drizzleAdapter(db, { provider: 'pg', schema: authSchema, usePlural: true }),
    emailAndPassword: {
      enabled: true,
      minPasswordLength: LIMITS.passwordMin,
      maxPasswordLength: LIMITS.passwordMax,
      autoSignIn: true,
    },
    session: { expiresIn: 60 * 60 * 24 * 7, updateAge: 60 * 60 * 24 },
    // Sign-in is rate limited by the Fastify route (routes/api/auth), which answers in our error shape.
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
    // Unexpected failures (database down, bugs) propagate to Fastify's error handler, which answers
    // 503 or 500 in our shape; Better Auth's own 4xx answers still come back as responses.
    onAPIError: { throw: true },
    plugins: [bearer()],
    databaseHooks: {
      session: {
        update: { after: async (session) => forgetSession(session.token) },
        delete: { after: async (session) => forgetSession(session.token) },
      },
      user: {
        update: { after: async (user) => forgetUser(user.id) },
        delete: { after: async (user) => forgetUser(user.id) },
      },
    },
    logger: {
      level: config.logLevel === 'debug' || config.logLevel === 'trace' ? 'debug' : 'warn',
      log: (level: Level | 'success', message: string, ...args: unknown[]) =>
        log[level === 'success' ? 'info' : level]({ args }, `auth: ${message}`),
    },
  });
}

export type Auth = ReturnType<typeof createAuth>;
/** Who is signed in: what API routes need to know about the caller. */
export type SessionUser = SessionUserRef;

/**
 * Who sent these headers (session cookie or `Authorization: Bearer`), or `undefined`. At most one query (none
 * while the session is cached); expired sessions and sliding refreshes go through Better Auth, which writes it.
 */
export async function createUserResolver(auth: Auth, db: AppDb, secret: string, cache: SessionCache) {
  const context = await auth.$context;
  const lookupSession = createSessionLookup(db, {
    secret,
    cache,
    cookieName: context.authCookies.sessionToken.name,
    dontRememberCookieName: context.authCookies.dontRememberToken.name,
    expiresIn: context.sessionConfig.expiresIn,
    updateAge: context.sessionConfig.updateAge,
  });
  /** What the fast path could not decide is Better Auth's (it extends or deletes the session). */
  const settle = (found: SessionLookup, headers: IncomingHttpHeaders) =>
    found === 'defer'
      ? auth.api.getSession({ headers: fromNodeHeaders(headers) }).then((session) => session?.user)
      : (found.user ?? undefined);
  /** The signed-in user: synchronously when the session is cached, else once the database has answered. */
  return function resolveUser(
    headers: IncomingHttpHeaders,
  ): SessionUser | undefined | Promise<SessionUser | undefined> {
    const found = lookupSession(headers);
    return found instanceof Promise ? found.then((lookup) => settle(lookup, headers)) : settle(found, headers);
  };
}
