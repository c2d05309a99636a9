import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import type { SessionCache } from './session-cache.js';

/** The PostgreSQL channel every instance listens on for sessions and users whose cached copies must go. */
const REVOCATIONS_CHANNEL = 'todo_stack_revocations';

/** How long to wait before listening again after the connection was lost (a database restart, an outage). */
const RETRY_MS = 1_000;

export type Revocation = { session: string } | { user: string };

export interface RevocationLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/**
 * Sign-outs and revocations reach the session cache of every instance: each one LISTENs on one channel, and what
 * Better Auth deletes or changes is announced there (`publish`, from its database hooks in auth.ts), so a
 * signed-out token stops working on every replica at once, not when their cached copies expire. The payload is the
 * token of a session already deleted (useless by then) or a user id.
 *
 * Fails closed: the cache is suspended (every request reads the database) until the first LISTEN succeeds and
 * whenever its connection is lost, and it restarts empty each time listening resumes.
 */
export function createRevocationFeed(database: Database, cache: SessionCache, log: RevocationLogger) {
  let subscription: { close(): Promise<void> } | undefined;
  let retry: NodeJS.Timeout | undefined;
  let stopped = false;
  let failing = false;

  const apply = (payload: string) => {
    try {
      const revocation = JSON.parse(payload) as Partial<{ session: string; user: string }>;
      if (typeof revocation.session === 'string') cache.forgetSession(revocation.session);
      if (typeof revocation.user === 'string') cache.forgetUser(revocation.user);
    } catch {
      // Not ours: anything else on the channel is ignored.
    }
  };

  const listen = async (): Promise<void> => {
    retry = undefined;
    if (stopped) return;
    try {
      const opened = await database.listen(REVOCATIONS_CHANNEL, {
        message: apply,
        lost: (error) => {
          cache.suspend();
          subscription = undefined;
          log.warn({ err: error }, 'session revocations unheard: the session cache is off until they are again');
          schedule();
        },
      });
      if (stopped) return void (await opened.close());
      subscription = opened;
      cache.resume();
      if (failing) log.info({}, 'session revocations heard again: the session cache is back on');
      failing = false;
    } catch (error) {
      if (!failing) log.warn({ err: error }, 'cannot listen for session revocations; the session cache stays off');
      failing = true;
      schedule();
    }
  };
  const schedule = () => {
    if (stopped || retry) return;
    retry = setTimeout(() => void listen(), RETRY_MS);
    retry.unref();
  };

  cache.suspend();
  return {
    /** Starts listening; resolves once the first attempt is over (the cache is on if it succeeded). */
    start: listen,
    /** Tells every instance (this one too) to drop a session or all of a user's sessions from its cache. */
    async publish(revocation: Revocation): Promise<void> {
      await database.db.execute(sql`select pg_notify(${REVOCATIONS_CHANNEL}, ${JSON.stringify(revocation)})`);
    },
    async stop(): Promise<void> {
      stopped = true;
      if (retry) clearTimeout(retry);
      await subscription?.close().catch(() => undefined);
      subscription = undefined;
    },
  };
}

export type RevocationFeed = ReturnType<typeof createRevocationFeed>;
