import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import type { DatabaseConfig } from '../config.js';
import { assetDir } from '../paths.js';
import type { Database } from './client.js';

/** Any constant works: it only has to be the same for every backend that migrates this database. */
const MIGRATION_LOCK_KEY = 0x70d0_57ac;

/**
 * The versioned SQL migrations written by drizzle-kit: `apps/backend/drizzle` in the workspace,
 * `./drizzle` next to `main.js` in the bundle (the build copies it there).
 */
export function migrationsFolder(): string {
  const folder = assetDir('drizzle', '../drizzle');
  if (!folder) throw new Error('No migrations folder found next to the bundle or in apps/backend/drizzle.');
  return folder;
}

/**
 * Applies every pending migration. On PostgreSQL an advisory lock serialises concurrent runners
 * (several replicas or a hook Job racing), so each migration runs exactly once.
 */
export async function runMigrations(config: DatabaseConfig, database: Database): Promise<void> {
  const folder = migrationsFolder();
  if (config.kind === 'pglite') {
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    // Both drivers share the PgDatabase API; the PGlite migrator only needs its session.
    await migrate(database.db as Parameters<typeof migrate>[0], { migrationsFolder: folder });
    return;
  }
  // A dedicated connection: the advisory lock belongs to the session that runs the migrations.
  const client = new pg.Client({ connectionString: config.url, application_name: 'todo-stack-migrate' });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await migratePg(drizzlePg(client), { migrationsFolder: folder });
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}
