import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import type { DatabaseConfig } from '../../src/config.js';
import {
  createDatabase,
  importPglite,
  pgliteDatabase,
  type Database,
  type DatabaseOptions,
} from '../../src/db/client.js';
import { migrationsFolder, runMigrations } from '../../src/db/migrate.js';

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
 * Identifies a migrated template: the migration files and the PGlite version (its data directory
 * format). A change to either makes a new template; stale ones are never reused.
 */
function templateKey(): string {
  const hash = createHash('sha256');
  const folder = migrationsFolder();
  for (const file of readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (file.isFile()) hash.update(file.name).update(readFileSync(join(file.parentPath, file.name)));
  }
  // The package's entry point is dist/index.js (its exports hide package.json).
  const pgliteEntry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  return hash
    .update(readFileSync(join(dirname(pgliteEntry), '..', 'package.json')))
    .digest('hex')
    .slice(0, 16);
}

/**
 * A fresh, migrated database: an in-memory PGlite, or a new database on the test PostgreSQL server
 * (dropped afterwards), so test files never see each other's rows. Both are copies of one migrated
 * template per engine: initdb and migrations run once per suite run, not once per file.
 */
export async function createTestDatabase(engine = ENGINE, options: DatabaseOptions = {}): Promise<TestDatabase> {
  return engine === 'pglite' ? createPgliteDatabase(options) : createPostgresDatabase(options);
}

/**
 * PGlite's initdb takes seconds (tens on a busy machine); loading a dump of a migrated data
 * directory takes about one. Workers share the dump through a file; racing writers rename atomically.
 */
async function pgliteTemplate(): Promise<Blob> {
  const dir = join(tmpdir(), 'todo-stack-test-templates');
  const file = join(dir, `pglite-${templateKey()}.tar`);
  if (!existsSync(file)) {
    const config: DatabaseConfig = { kind: 'pglite', dataDir: 'memory://' };
    const database = await createDatabase(config, silent);
    await runMigrations(config, database);
    const dump = await pgliteClient(database).dumpDataDir('none');
    await database.close();
    mkdirSync(dir, { recursive: true });
    const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, file);
  }
  return new Blob([readFileSync(file)]);
}

interface PgliteClient {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  dumpDataDir(compression: 'none'): Promise<Blob>;
}
const pgliteClient = (database: Database) => (database.db as unknown as { $client: PgliteClient }).$client;

async function createPgliteDatabase(options: DatabaseOptions): Promise<TestDatabase> {
  const config: DatabaseConfig = { kind: 'pglite', dataDir: 'memory://' };
  const { PGlite } = await importPglite();
  const database = await pgliteDatabase(await PGlite.create({ loadDataDir: await pgliteTemplate() }), options);
  const client = pgliteClient(database);
  return {
    config,
    database,
    query: async (sql, params) => (await client.query(sql, params)).rows as never[],
    dispose: () => database.close(),
  };
}

/** Serialises template builds across Jest workers (and concurrent runs on a shared server). */
const TEMPLATE_LOCK_KEY = 0x7e57_da7a;

/**
 * `CREATE DATABASE … TEMPLATE` copies a migrated database in milliseconds. The template is built
 * under another name and renamed when complete, so a crashed build is never cloned.
 */
async function postgresTemplate(admin: pg.Client, serverUrl: string): Promise<string> {
  const name = `todo_template_${templateKey()}`;
  const exists = async () => (await admin.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1;
  if (await exists()) return name;
  await admin.query('select pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY]);
  try {
    if (await exists()) return name;
    const building = `${name}_building`;
    await admin.query(`drop database if exists ${building} with (force)`);
    await admin.query(`create database ${building}`);
    const config: DatabaseConfig = { kind: 'postgres', url: databaseUrl(serverUrl, building), poolMax: 1 };
    const database = await createDatabase(config, silent);
    try {
      await runMigrations(config, database);
    } finally {
      await database.close();
    }
    await admin.query(`alter database ${building} rename to ${name}`);
    return name;
  } finally {
    await admin.query('select pg_advisory_unlock($1)', [TEMPLATE_LOCK_KEY]);
  }
}

function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function createPostgresDatabase(options: DatabaseOptions): Promise<TestDatabase> {
  const serverUrl = process.env['TEST_POSTGRES_URL'];
  if (!serverUrl)
    throw new Error('TEST_POSTGRES_URL is not set: the postgres Jest project starts a server in globalSetup.');
  const name = `todo_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name} template ${await postgresTemplate(admin, serverUrl)}`);
  } finally {
    await admin.end();
  }

  const config: DatabaseConfig = { kind: 'postgres', url: databaseUrl(serverUrl, name), poolMax: 10 };
  const database = await createDatabase(config, silent, options);
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
