import { mkdir } from 'node:fs/promises';
import type { PGlite } from '@electric-sql/pglite';
import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { DatabaseConfig } from '../config.js';
import { schema, type Schema } from './schema.js';
import { TracedClient, TracedPool, traceQuery } from './tracing.js';

/** One query API for both drivers: node-postgres (PostgreSQL) and PGlite (embedded). */
export type AppDb = PgDatabase<PgQueryResultHKT, Schema>;

/** Raw SQL through Drizzle, for statements its builders cannot say; both drivers answer `{ rows }`. */
export async function queryRows<T extends Record<string, unknown>>(db: AppDb, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/** What a `listen` subscriber is told: each notification's payload, and that the subscription was lost. */
export interface NotificationHandlers {
  message(payload: string): void;
  /** The connection carrying the subscription failed: notifications may have been missed, none will follow. */
  lost(error: unknown): void;
}

export interface Database {
  kind: DatabaseConfig['kind'];
  db: AppDb;
  /** Resolves when the database answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  /** PostgreSQL LISTEN on `channel` (a constant identifier), on a connection of its own. */
  listen(channel: string, handlers: NotificationHandlers): Promise<{ close(): Promise<void> }>;
  /**
   * A hot path's statement, prepared by name (PostgreSQL parses and plans it once per connection), run with
   * positional values; the rows as the driver answers them, past Drizzle's query building and row mapping.
   */
  statement<T>(name: string, text: string): (values: unknown[]) => Promise<T[]>;
  /** The connection pool's clients (PostgreSQL only: PGlite is one in-process connection). */
  poolStats?(): { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

export interface DatabaseLogger {
  warn(obj: object, msg: string): void;
}

export interface DatabaseOptions {
  /** A span per query (OpenTelemetry; only when tracing is on: untraced clients cost nothing). */
  traced?: boolean;
}

export async function createDatabase(
  config: DatabaseConfig,
  log: DatabaseLogger,
  { traced = false }: DatabaseOptions = {},
): Promise<Database> {
  return config.kind === 'postgres' ? createPostgres(config, log, traced) : createPglite(config, traced);
}

function createPostgres(
  config: Extract<DatabaseConfig, { kind: 'postgres' }>,
  log: DatabaseLogger,
  traced: boolean,
): Database {
  const pool = new (traced ? TracedPool : pg.Pool)({
    ...(traced ? { Client: TracedClient } : {}),
    connectionString: config.url,
    max: config.poolMax,
    // Fail fast while the database is down so requests get a 503 instead of hanging.
    connectionTimeoutMillis: 3_000,
    idleTimeoutMillis: 30_000,
    query_timeout: 15_000,
    application_name: 'todo-stack-backend',
  });
  // An idle client losing its connection (database restart) must not crash the process:
  // the pool drops it and opens a new one on the next query.
  pool.on('error', (err) => log.warn({ err }, 'idle database connection lost'));
  return {
    kind: 'postgres',
    db: drizzlePg(pool, { schema }),
    ping: async () => {
      await pool.query('select 1');
    },
    listen: async (channel, handlers) => {
      // Outside the pool: a LISTEN connection is held for the life of the process.
      const client = new pg.Client({
        connectionString: config.url,
        connectionTimeoutMillis: 3_000,
        application_name: 'todo-stack-backend-listen',
      });
      let done = false;
      const lost = (error: unknown) => {
        if (done) return;
        done = true;
        handlers.lost(error);
        client.end().catch(() => undefined);
      };
      client.on('notification', (message) => {
        if (message.channel === channel) handlers.message(message.payload ?? '');
      });
      client.on('error', lost);
      client.on('end', () => lost(new Error('the LISTEN connection ended')));
      try {
        await client.connect();
        await client.query(`listen "${channel}"`);
      } catch (error) {
        done = true;
        await client.end().catch(() => undefined);
        throw error;
      }
      return {
        close: async () => {
          done = true;
          await client.end();
        },
      };
    },
    statement:
      <T>(name: string, text: string) =>
      async (values: unknown[]) =>
        (await pool.query<T & pg.QueryResultRow>({ name, text, values })).rows,
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: () => pool.end(),
  };
}

async function createPglite(config: Extract<DatabaseConfig, { kind: 'pglite' }>, traced: boolean): Promise<Database> {
  const { PGlite } = await importPglite();
  const inMemory = config.dataDir.startsWith('memory://');
  if (!inMemory) await mkdir(config.dataDir, { recursive: true });
  return pgliteDatabase(await PGlite.create(inMemory ? undefined : config.dataDir), { traced });
}

/**
 * Wraps an open PGlite instance (tests open theirs from a migrated template). Traced: a span per statement sent
 * outside a transaction (PGlite has no client class to hook; statements inside `transaction()` are not traced).
 */
export async function pgliteDatabase(client: PGlite, { traced = false }: DatabaseOptions = {}): Promise<Database> {
  const { drizzle } = await import('drizzle-orm/pglite');
  if (traced) {
    const query = client.query.bind(client);
    client.query = ((text: string, ...rest: Parameters<PGlite['query']> extends [string, ...infer R] ? R : never) =>
      traceQuery(text, {}, () => query(text, ...rest))) as PGlite['query'];
  }
  return {
    kind: 'pglite',
    db: drizzle(client, { schema }),
    ping: async () => {
      await client.query('select 1');
    },
    // One in-process connection: PGlite keeps no named statements; the text is what counts.
    statement:
      <T>(_name: string, text: string) =>
      async (values: unknown[]) =>
        (await client.query<T>(text, values)).rows,
    // In process: the subscription lives as long as the database does.
    listen: async (channel, handlers) => {
      const unsubscribe = await client.listen(channel, handlers.message);
      return { close: () => unsubscribe() };
    },
    close: () => client.close(),
  };
}

/** Loaded on demand (and kept out of the bundle): production images run on PostgreSQL without PGlite. */
export function importPglite(): Promise<typeof import('@electric-sql/pglite')> {
  return import('@electric-sql/pglite').catch((cause: unknown) => {
    throw new Error(
      'The embedded database (PGlite) is not installed here. Set DATABASE_URL to a PostgreSQL server, or run from the workspace after `npm ci`.',
      { cause },
    );
  });
}
