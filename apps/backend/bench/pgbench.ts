import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface PgbenchOptions {
  /** PostgreSQL's bin directory (pgbench ships with the server binaries); PATH when undefined. */
  binDir: string | undefined;
  url: string;
  /** A pgbench script: the statements one request of a route runs. */
  script: string;
  clients: number;
  seconds: number;
  /** `-D name=value`: sent as parameters of the prepared statements, as the backend sends them. */
  variables: Record<string, string>;
}

/**
 * Transactions/s of `script` (one transaction = one request's statements): the raw-SQL ceiling a
 * route could reach on this server at the same concurrency, with no HTTP, auth or JSON around it.
 */
export async function pgbench(options: PgbenchOptions): Promise<number> {
  const url = new URL(options.url);
  const args = [
    '--no-vacuum',
    '--protocol=prepared',
    `--client=${options.clients}`,
    '--jobs=2',
    `--time=${options.seconds}`,
    `--file=${options.script}`,
    ...Object.entries(options.variables).map(([name, value]) => `--define=${name}=${value}`),
    `--host=${url.hostname}`,
    `--port=${url.port}`,
    `--username=${decodeURIComponent(url.username)}`,
    url.pathname.slice(1),
  ];
  const command = options.binDir ? join(options.binDir, 'pgbench') : 'pgbench';
  const { stdout } = await promisify(execFile)(command, args, { env: { ...process.env, PGAPPNAME: 'pgbench' } });
  const tps = /tps = ([\d.]+)/.exec(stdout);
  if (!tps?.[1]) throw new Error(`pgbench printed no tps:\n${stdout}`);
  return Number(tps[1]);
}
