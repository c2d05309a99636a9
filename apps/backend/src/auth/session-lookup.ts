import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { eq, sql } from 'drizzle-orm';
import { parseCookies } from 'better-auth/cookies';
import type { AppDb } from '../db/client.js';
import { sessions, users } from '../db/schema.js';
import type { CachedSession, SessionCache, SessionUserRef } from './session-cache.js';

export type { SessionUserRef } from './session-cache.js';

export interface SessionLookupOptions {
  /** BETTER_AUTH_SECRET: signs session cookies and signed bearer tokens. */
  secret: string;
  /** Better Auth's session cookie name (`better-auth.session_token`, `__Secure-` prefixed over HTTPS). */
  cookieName: string;
  /** Better Auth's `dont_remember` cookie name: such sessions are left to Better Auth. */
  dontRememberCookieName: string;
  /** Better Auth's session settings, in seconds: a session is extended once `updateAge` has passed. */
  expiresIn: number;
  updateAge: number;
  /** Sessions resolved recently by this instance (see session-cache.ts). */
  cache: SessionCache;
  /** Epoch milliseconds (tests); `Date.now` by default. */
  now?: () => number;
}

/**
 * What the fast path decided: a signed-in user, nobody (no or unknown credentials: 401), or `defer`
 * (expired, or due for Better Auth's sliding refresh: let Better Auth answer, it writes the session).
 */
export type SessionLookup = { user: SessionUserRef } | { user: null } | 'defer';

const NOBODY = { user: null } as const;

/**
 * The session behind a request's `Authorization: Bearer` token or session cookie, in one indexed
 * query (session joined to its user by token). Better Auth's own getSession does the same work
 * through a Request, a Headers copy, a signed-cookie round trip with a WebCrypto key import and two
 * queries; API routes only need "who is this, and is the session still valid". Better Auth keeps
 * owning sign-up, sign-in, sign-out, session refresh and expiry clean-up (see `defer`). Answers are cached
 * for a short TTL (`options.cache`); expiry and the refresh due date are checked on every request.
 */
export function createSessionLookup(db: AppDb, options: SessionLookupOptions) {
  const statement = db
    .select({ expiresAt: sessions.expiresAt, id: users.id, email: users.email, name: users.name })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.token, sql.placeholder('token')))
    .prepare('session_by_token');

  /** `token.signature` as Better Auth signs cookies: HMAC-SHA256 with the secret, base64. */
  const unsign = (signed: string): string | undefined => {
    const dot = signed.lastIndexOf('.');
    if (dot < 1) return undefined;
    const token = signed.slice(0, dot);
    const given = Buffer.from(signed.slice(dot + 1), 'base64');
    const expected = createHmac('sha256', options.secret).update(token).digest();
    return given.length === expected.length && timingSafeEqual(given, expected) ? token : undefined;
  };

  /**
   * The bearer plugin's rules: a raw session token, or a signed one (`token.signature`, maybe
   * URL-encoded); a bearer token that fails its signature check falls back to the session cookie.
   */
  const tokenOf = (headers: IncomingHttpHeaders): { token?: string; dontRemember: boolean } => {
    const cookies = headers.cookie ? parseCookies(headers.cookie) : undefined;
    const dontRemember = cookies?.has(options.dontRememberCookieName) ?? false;
    const authorization = headers.authorization;
    if (authorization && authorization.slice(0, 7).toLowerCase() === 'bearer ') {
      const value = authorization.slice(7).trim();
      const token = value && (value.includes('.') ? unsign(safeDecode(value)) : value);
      if (token) return { token, dontRemember };
    }
    const signed = cookies?.get(options.cookieName);
    return { token: signed ? unsign(signed) : undefined, dontRemember };
  };

  const { cache, now = Date.now } = options;
  const fetchSession = async (token: string): Promise<CachedSession | undefined> => {
    const stamp = cache.stamp();
    const [row] = await statement.execute({ token });
    if (!row) return undefined;
    const session = { expiresAt: row.expiresAt.getTime(), user: { id: row.id, email: row.email, name: row.name } };
    cache.set(token, session, stamp);
    return session;
  };

  /** Expiry and the refresh due date, checked on every request, cached or not. */
  const valid = (token: string, session: CachedSession, dontRemember: boolean): SessionLookup => {
    const { expiresAt } = session;
    const time = now();
    const refreshDue = expiresAt - options.expiresIn * 1000 + options.updateAge * 1000 <= time;
    if (expiresAt <= time || (refreshDue && !dontRemember)) {
      // Better Auth deletes or extends the row: the next request must read it again.
      cache.forgetSession(token);
      return 'defer';
    }
    return { user: session.user };
  };

  /** Synchronous when the session is cached (most API requests): no promise on that path. */
  return function lookupSession(headers: IncomingHttpHeaders): SessionLookup | Promise<SessionLookup> {
    const { token, dontRemember } = tokenOf(headers);
    if (!token) return NOBODY;
    const cached = cache.get(token);
    if (cached) return valid(token, cached, dontRemember);
    return fetchSession(token).then((session) => (session ? valid(token, session, dontRemember) : NOBODY));
  };
}

function safeDecode(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
