import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DatabaseConfig } from '../../src/config.js';
import { createDatabase, type Database } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrate.js';

/** Which engine this Jest project runs the suite against (see jest.config.cjs). */
export const ENGINE: DatabaseConfig['kind'] = process.env['TEST_DATABASE'] === 'postgres' ? 'postgres' : 'pglite';

export interface TestDatabase {
  config: DatabaseConfig;
  database: Database;
  /** Plain SQL for assertions and for setting up states the API cannot (expired sessions). */
  query<T extends object = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  dispose(): Promise<void>;
}

const silent = { warn: () => undefined };

/**
 * A fresh, migrated database: an in-memory PGlite, or a new database on the test PostgreSQL server
 * (dropped afterwards), so test files never see each other's rows.
 */
export async function createTestDatabase(engine = ENGINE): Promise<TestDatabase> {
  if (engine === 'pglite') {
    const config: DatabaseConfig = { kind: 'pglite', dataDir: 'memory://' };
    const database = await createDatabase(config, silent);
    await runMigrations(config, database);
    const client = (
      database.db as unknown as { $client: { query: (s: string, p?: unknown[]) => Promise<{ rows: unknown[] }> } }
    ).$client;
    return {
      config,
      database,
      query: async (sql, params) => (await client.query(sql, params)).rows as never[],
      dispose: () => database.close(),
    };
  }

  const serverUrl = process.env['TEST_POSTGRES_URL'];
  if (!serverUrl)
    throw new Error('TEST_POSTGRES_URL is not set: the postgres Jest project starts a server in globalSetup.');
  const name = `todo_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();

  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const config: DatabaseConfig = { kind: 'postgres', url: url.toString(), poolMax: 10 };
  const database = await createDatabase(config, silent);
  await runMigrations(config, database);
  const pool = (database.db as unknown as { $client: pg.Pool }).$client;
  return {
    config,
    database,
    query: async (sql, params) => (await pool.query(sql, params)).rows,
    dispose: async () => {
      await database.close();
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}
