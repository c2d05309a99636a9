import { sql } from 'drizzle-orm';
import { queryRows, type AppDb } from '../db/client.js';
import { rateLimits } from '../db/schema.js';

/** A client's count in the current window, and how long until the window ends. */
export interface Hit {
  count: number;
  ttlMs: number;
}

/**
 * Fixed-window counters in PostgreSQL, the one store every replica shares (and PGlite for `npm start`), so a budget
 * holds however many backends answer. One statement per hit: insert the key, or add one to it, restarting the
 * window when it has run out; concurrent hits on the same key serialise on its row.
 */
export function createRateLimitStore(db: AppDb) {
  return {
    async hit(key: string, windowMs: number): Promise<Hit> {
      const [row] = await queryRows<{ hits: number; ttl_ms: number }>(
        db,
        sql`
          insert into ${rateLimits} as r (key, hits, reset_at)
          values (${key}, 1, now() + ${windowMs}::int * interval '1 millisecond')
          on conflict (key) do update set
            hits = case when r.reset_at <= now() then 1 else r.hits + 1 end,
            reset_at = case when r.reset_at <= now() then excluded.reset_at else r.reset_at end
          returning hits, ceil(greatest(0, extract(epoch from (reset_at - now())) * 1000))::int as ttl_ms`,
      );
      return { count: Number(row?.hits ?? 1), ttlMs: Number(row?.ttl_ms ?? windowMs) };
    },

    /** Drops finished windows, so keys of clients long gone do not pile up. */
    async sweep(): Promise<void> {
      await db.delete(rateLimits).where(sql`${rateLimits.resetAt} < now()`);
    },
  };
}

export type RateLimitStore = ReturnType<typeof createRateLimitStore>;
