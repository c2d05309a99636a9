import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * A directory of migrations as the backend's build leaves them (apps/backend/dist/drizzle), for the migrationsDir
 * option: the workspace's own build output may or may not exist where the tests run.
 */
export function migrationsFixture(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'migrations-'));
  writeFileSync(path.join(dir, '0000_initial.sql'), 'CREATE TABLE "todos" ("id" uuid PRIMARY KEY);\n');
  return dir;
}
