import { LRUCache } from 'lru-cache';

export interface SessionUserRef {
  id: string;
  email: string;
  name: string;
}

/** What an API request needs to know about a session: whose it is and until when it is valid. */
export interface CachedSession {
  user: SessionUserRef;
  /** Epoch milliseconds: checked on every hit, so a session expires on time even while cached. */
  expiresAt: number;
}

export interface SessionCacheOptions {
  /** How long this instance trusts a session it looked up: the most a sign-out on another instance lags. 0: off. */
  ttlMs: number;
  /** Bound on the sessions kept (least recently used go first). */
  max: number;
  /** Clock for the TTL, read on every check (tests); `performance` by default. */
  clock?: { now(): number };
}

/**
 * Sessions this instance resolved recently, by token, so API requests skip the session query.
 *
 * Changes made through Better Auth on this instance (sign-out, revocation, user updates and deletion) evict
 * through its database hooks (see auth.ts), so they take effect at once here; changes made elsewhere (another
 * replica, SQL) are seen once the entry's TTL has passed. A lookup that raced with an eviction is not stored.
 */
export function createSessionCache(options: SessionCacheOptions) {
  const entries =
    options.ttlMs > 0
      ? new LRUCache<string, CachedSession>({
          max: options.max,
          ttl: options.ttlMs,
          ...(options.clock ? { perf: options.clock, ttlResolution: 0 } : {}),
        })
      : undefined;
  /** Bumped by every eviction: a lookup started before one may have read what was just removed. */
  let evictions = 0;

  return {
    get: (token: string): CachedSession | undefined => entries?.get(token),
    /** A stamp to pass to `set` once the database answered. */
    stamp: (): number => evictions,
    set(token: string, session: CachedSession, stamp: number): void {
      if (stamp === evictions) entries?.set(token, session);
    },
    forgetSession(token: string): void {
      evictions++;
      entries?.delete(token);
    },
    forgetUser(userId: string): void {
      evictions++;
      if (!entries) return;
      for (const [token, session] of entries.entries()) if (session.user.id === userId) entries.delete(token);
    },
  };
}

export type SessionCache = ReturnType<typeof createSessionCache>;
