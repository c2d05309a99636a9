// @ts-check
// Starts what the browser tests need, the way production runs it: a fresh PostgreSQL database (migrated with the
// backend's own `migrate` command), the backend's esbuild bundle with NODE_ENV=production, and the frontend's
// standalone server with BACKEND_URL set at start. Everything is stopped and dropped again by `stop()`.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitUntilAnswers } from '@todo-stack/testing';
import pg from 'pg';

export const root = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
// E2E_BACKEND_MAIN: another backend bundle to test against (e.g. a build of a branch that is not merged yet).
const backendMain = process.env.E2E_BACKEND_MAIN ?? join(root, 'apps/backend/dist/main.js');
const frontendStart = join(root, 'apps/frontend/scripts/start-standalone.mjs');

function postgresUrl() {
  const url = process.env.TEST_POSTGRES_URL;
  if (!url) throw new Error('TEST_POSTGRES_URL is not set: eval "$(tools/ci/postgres.sh start)" first.');
  return url;
}

/** Creates an empty database and returns its URL. */
async function createDatabase() {
  const admin = new URL(postgresUrl());
  const name = `e2e_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

/** @param {string} name */
async function dropDatabase(name) {
  const client = new pg.Client({ connectionString: postgresUrl() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/**
 * @param {string[]} args
 * @param {Record<string, string>} env
 * @param {string} label
 */
function start(args, env, label) {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  /** @type {string[]} */
  const output = [];
  const keep = (/** @type {Buffer} */ chunk) => {
    output.push(chunk.toString());
    if (output.length > 200) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    child,
    label,
    log: () => output.join(''),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/**
 * @param {string} url
 * @param {{ child: import('node:child_process').ChildProcess, label: string, log: () => string }} proc
 */
const waitHealthy = (url, proc) =>
  waitUntilAnswers(url, { process: proc.child, output: proc.log, what: `${proc.label} at ${url}`, timeoutMs: 120_000 });

/** @param {string} databaseUrl @param {string} secret */
async function migrate(databaseUrl, secret) {
  const proc = start(
    [backendMain, 'migrate'],
    { DATABASE_URL: databaseUrl, NODE_ENV: 'production', BETTER_AUTH_SECRET: secret },
    'migrate',
  );
  const code = await new Promise((resolve) => proc.child.once('exit', resolve));
  if (code !== 0) throw new Error(`migrate exited with ${code}:\n${proc.log()}`);
}

/**
 * A backend on a fresh, migrated database.
 * @param {{ frontendOrigins: string[] }} options
 */
export async function startBackend({ frontendOrigins }) {
  const database = await createDatabase();
  const secret = randomBytes(32).toString('base64');
  await migrate(database.url, secret);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = start(
    [backendMain],
    {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: database.url,
      BETTER_AUTH_SECRET: secret,
      BETTER_AUTH_URL: url,
      FRONTEND_ORIGIN: frontendOrigins.join(','),
      // Every browser request arrives through the frontend's proxy, from one address.
      SIGN_IN_RATE_LIMIT: '100',
      LOG_LEVEL: 'warn',
    },
    `backend :${port}`,
  );
  await waitHealthy(`${url}/health`, proc);
  return {
    url,
    database,
    log: proc.log,
    async stop() {
      await proc.stop();
      await dropDatabase(database.name);
    },
  };
}

/**
 * The frontend's standalone server (one build, any backend) on a port chosen in advance.
 * @param {{ port: number, backendUrl: string }} options
 */
export async function startFrontend({ port, backendUrl }) {
  const proc = start(
    [frontendStart],
    { PORT: String(port), FRONTEND_HOST: '127.0.0.1', BACKEND_URL: backendUrl, NODE_ENV: 'production' },
    `frontend :${port}`,
  );
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(`${url}/api/health`, proc);
  return { url, log: proc.log, stop: () => proc.stop() };
}
