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
 * Changes made through Better Auth (sign-out, revocation, user updates and deletion) evict through its database
 * hooks (see auth.ts) on this instance and, through PostgreSQL notifications, on every other one (revocations.ts),
 * so a signed-out token stops working everywhere at once. While those notifications cannot be heard the cache is
 * suspended (every request reads the database); changes made with SQL are seen once the entry's TTL has passed.
 * A lookup that raced with an eviction is not stored.
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
  /** Off while revocations from other instances cannot be heard (see revocations.ts). */
  let suspended = false;

  return {
    get: (token: string): CachedSession | undefined => (suspended ? undefined : entries?.get(token)),
    /** A stamp to pass to `set` once the database answered. */
    stamp: (): number => evictions,
    set(token: string, session: CachedSession, stamp: number): void {
      if (!suspended && stamp === evictions) entries?.set(token, session);
    },
    /** Revocations may be missed from now on: every lookup goes to the database until `resume`. */
    suspend(): void {
      suspended = true;
      evictions++;
      entries?.clear();
    },
    /** Revocations are heard again: start empty, as any could have been missed meanwhile. */
    resume(): void {
      evictions++;
      entries?.clear();
      suspended = false;
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
