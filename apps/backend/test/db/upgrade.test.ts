import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskList } from '@todo-stack/shared';
import { buildApp } from '../../src/app/app.js';
import { loadConfig } from '../../src/config.js';
import { migrationsFolder, runMigrations } from '../../src/db/migrate.js';
import { buildTestApp, ENGINE, signUp } from '../helper.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

interface Journal {
  entries: { idx: number; tag: string }[];
}

const journal = JSON.parse(readFileSync(join(migrationsFolder(), 'meta/_journal.json'), 'utf8')) as Journal;

/** The migrations folder as an earlier release shipped it: its first `count` migrations. */
function releaseWith(count: number): string {
  const folder = mkdtempSync(join(tmpdir(), 'todo-migrations-'));
  cpSync(migrationsFolder(), folder, { recursive: true });
  writeFileSync(
    join(folder, 'meta/_journal.json'),
    JSON.stringify({ ...journal, entries: journal.entries.slice(0, count) }),
  );
  return folder;
}

/** Empties a migrated test database, so a test can start it from an earlier release. */
async function wipe(db: TestDatabase): Promise<void> {
  await db.query('drop schema if exists drizzle cascade');
  await db.query('drop schema public cascade');
  await db.query('create schema public');
}

async function migrateWith(db: TestDatabase, folder: string): Promise<void> {
  if (db.config.kind === 'pglite') {
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    await migrate(db.database.db as Parameters<typeof migrate>[0], { migrationsFolder: folder });
  } else {
    const { migrate } = await import('drizzle-orm/node-postgres/migrator');
    await migrate(db.database.db as Parameters<typeof migrate>[0], { migrationsFolder: folder });
  }
}

/**
 * Every migration applied to a database that already holds data: for each earlier release (the first k migrations),
 * a user with a session, tasks and (once chat exists) a conversation are written, then the current release migrates
 * and serves them.
 */
describe.each(journal.entries.slice(0, -1).map((entry) => entry.idx + 1))(
  'upgrading a database with data from the release with %i migration(s)',
  (count) => {
    let db: TestDatabase;
    let folder: string;
    beforeAll(async () => {
      db = await createTestDatabase();
      await wipe(db);
      folder = releaseWith(count);
      await migrateWith(db, folder);
    }, 120_000);
    afterAll(async () => {
      rmSync(folder, { recursive: true, force: true });
      await db?.dispose();
    });

    it('keeps the data and the session, and the app works on the upgraded schema', async () => {
      await db.query("insert into users (id, name, email) values ('legacy-user', 'Legacy', 'legacy@example.test')");
      await db.query(
        "insert into sessions (id, token, user_id, expires_at) values ('legacy-session', 'legacy-session-token', 'legacy-user', now() + interval '1 day')",
      );
      await db.query(
        "insert into tasks (user_id, title, description, completed) values ('legacy-user', 'from the old release', 'kept', true), ('legacy-user', 'still to do', null, false)",
      );
      const [chat] = await db.query<{ present: boolean }>(
        "select to_regclass('public.messages') is not null as present",
      );
      if (chat?.present) {
        await db.query("insert into conversations (id, user_id, title) values (1, 'legacy-user', 'old chat')");
        await db.query(
          "insert into messages (conversation_id, role, content) values (1, 'user', 'hello'), (1, 'assistant', 'hi')",
        );
      }

      await runMigrations(db.config, db.database);

      const app = await buildTestApp(db);
      try {
        const headers = { authorization: 'Bearer legacy-session-token' };
        const list = await app.inject({ url: '/api/legacy-user/tasks?sort=title', headers });
        expect(list.statusCode).toBe(200);
        expect(list.json<TaskList>()).toMatchObject({
          total: 2,
          tasks: [{ title: 'from the old release', description: 'kept', completed: true }, { title: 'still to do' }],
        });
        const created = await app.inject({
          method: 'POST',
          url: '/api/legacy-user/tasks',
          headers,
          payload: { title: 'after the upgrade' },
        });
        expect(created.statusCode).toBe(201);
        const chatted = await app.inject({
          method: 'POST',
          url: '/api/legacy-user/chat',
          headers,
          payload: { message: 'show my tasks', ...(chat?.present ? { conversation_id: 1 } : {}) },
        });
        expect(chatted.statusCode).toBe(200);
        // New tables of the upgrade are in use (the auth budget's counters).
        expect((await signUp(app)).token).toEqual(expect.any(String));
      } finally {
        await app.close();
      }
    });
  },
);

/** `npm start`'s default: PGlite on disk, migrated at start-up; closing and reopening keeps everything. */
(ENGINE === 'pglite' ? describe : describe.skip)('the embedded database on disk (npm start)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'todo-pglite-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const start = () =>
    buildApp(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PGLITE_DATA_DIR: dir, MIGRATE_ON_START: 'true' }), {
      logger: false,
    });

  it('keeps users, sessions and tasks across a close and a reopen', async () => {
    const first = await start();
    const user = await signUp(first);
    const created = await first.inject({
      method: 'POST',
      url: `/api/${user.id}/tasks`,
      headers: user.headers,
      payload: { title: 'written before the restart' },
    });
    expect(created.statusCode).toBe(201);
    await first.close();

    const second = await start(); // migrates again: a no-op on an up-to-date database
    try {
      const list = await second.inject({ url: `/api/${user.id}/tasks`, headers: user.headers });
      expect(list.statusCode).toBe(200);
      expect(list.json<TaskList>().tasks.map((task) => task.title)).toEqual(['written before the restart']);
    } finally {
      await second.close();
    }
  }, 180_000);
});
