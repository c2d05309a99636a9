import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@todo-stack/testing';

/**
 * Jest globalSetup of the postgres project: uses TEST_POSTGRES_URL when given (CI starts Debian's
 * cluster), else starts a throwaway server. Self-contained: Jest loads global setup files outside
 * the ESM module mapping the tests use.
 */
declare global {
  // Kept between globalSetup and globalTeardown (same process).
  var __TODO_STACK_PG__: PostgresServer | undefined;
}

export default async function globalSetup(): Promise<void> {
  if (process.env['TEST_POSTGRES_URL']) return;
  globalThis.__TODO_STACK_PG__ = await startPostgresServer();
  process.env['TEST_POSTGRES_URL'] = globalThis.__TODO_STACK_PG__.url;
}

/**
 * A throwaway PostgreSQL cluster for integration tests: initdb into a temp folder, listen on a free
 * loopback port, fsync off. Uses the server binaries of Debian's `postgresql` package (or PG_BIN_DIR).
 */
export interface PostgresServer {
  url: string;
  stop(): void;
}

/** Newest installed server binaries, or undefined when PostgreSQL is not installed. */
export function findPostgresBinDir(): string | undefined {
  const fromEnv = process.env['PG_BIN_DIR'];
  if (fromEnv) return existsSync(join(fromEnv, 'initdb')) ? fromEnv : undefined;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

export async function startPostgresServer(): Promise<PostgresServer> {
  const bin = findPostgresBinDir();
  if (!bin) {
    throw new Error(
      'PostgreSQL server binaries not found: install them (`apt-get install postgresql`), set PG_BIN_DIR, or point TEST_POSTGRES_URL at a server.',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'todo-stack-pg-'));
  const port = await freePort();
  // initdb refuses to run as root: run the cluster as the `postgres` system user then.
  const asUser: { uid?: number; gid?: number } =
    process.getuid?.() === 0 ? { uid: userId('postgres', '-u'), gid: userId('postgres', '-g') } : {};
  if (asUser.uid !== undefined && asUser.gid !== undefined) chownSync(dir, asUser.uid, asUser.gid);

  const run = (command: string, args: string[]) => {
    const result = spawnSync(join(bin, command), args, { ...asUser, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr || result.stdout}`);
  };
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  run('pg_ctl', [
    '-D',
    data,
    '-l',
    join(dir, 'server.log'),
    '-w',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`,
    'start',
  ]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => {
      spawnSync(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], asUser);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function userId(name: string, flag: '-u' | '-g'): number {
  return Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
}
