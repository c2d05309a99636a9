// `npm start`: the whole stack on one machine. `nx run backend:start` and `nx run frontend:start` side by side: each
// builds its app (Nx-cached: a second start skips the builds) and starts its production server, and each gets one
// line here once it answers: the backend on /ready (its database answers), the frontend on its page.
//
// Ports come from the addresses the apps already read of each other: BACKEND_URL (the frontend's /api proxy) and
// FRONTEND_ORIGIN (the backend's CORS and Better Auth origin), e.g.
//   BACKEND_URL=http://127.0.0.1:8100 FRONTEND_ORIGIN=http://localhost:3100 npm start
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { connect, createServer } from 'node:net';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** From the server's first accepted connection to its first good answer. */
const READY_TIMEOUT_MS = 60_000;
const POLL_INTERVAL_MS = 250;

const backendUrl = new URL(process.env.BACKEND_URL || 'http://127.0.0.1:8000');
const frontendUrl = new URL((process.env.FRONTEND_ORIGIN || 'http://localhost:3000').split(',')[0]);
const portOf = (url) => url.port || (url.protocol === 'https:' ? '443' : '80');
// Only the host is ever printed: the URL holds the password. A malformed one is left to the backend's start-up
// check (which names it without echoing it): `new URL` would throw with the whole value in its `input`.
const database = process.env.DATABASE_URL
  ? `PostgreSQL at ${URL.canParse(process.env.DATABASE_URL) ? new URL(process.env.DATABASE_URL).host : 'DATABASE_URL'}`
  : `PGlite in ${resolve(process.env.PGLITE_DATA_DIR || '.data/pglite')}`;
const otherPorts = 'BACKEND_URL=http://127.0.0.1:8100 FRONTEND_ORIGIN=http://localhost:3100 npm start';

const apps = [
  {
    name: 'backend',
    host: process.env.HOST || '127.0.0.1',
    port: portOf(backendUrl),
    env: { PORT: portOf(backendUrl), FRONTEND_ORIGIN: process.env.FRONTEND_ORIGIN || frontendUrl.origin },
    probe: new URL('/ready', backendUrl),
    ready: `backend ready at ${backendUrl.origin} (${database}; API docs at ${new URL('/docs', backendUrl)})`,
    hint: 'a 503 from /ready means the database did not answer: check DATABASE_URL or PGLITE_DATA_DIR',
  },
  {
    name: 'frontend',
    host: process.env.FRONTEND_HOST || 'localhost',
    port: portOf(frontendUrl),
    env: { PORT: portOf(frontendUrl), BACKEND_URL: backendUrl.origin },
    probe: new URL('/', frontendUrl),
    ready: `frontend ready at ${frontendUrl.origin}`,
    hint: 'Next.js reports its start-up errors there',
  },
];

const fail = (message) => {
  console.error(`\nnpm start: ${message}`);
  process.exitCode = 1;
};

/** True when nothing listens on host:port yet (checked before the builds, so a clash is reported in a second). */
const portIsFree = (host, port) =>
  new Promise((done) => {
    const probe = createServer()
      .once('error', () => done(false))
      .listen(Number(port), host, () => probe.close(() => done(true)));
  });

/** Runs a child with our terminal; resolves with its exit code (a signal counts as 1). */
function run(command, args, env = {}) {
  const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  child.exited = new Promise((done) => child.once('exit', (code) => done(code ?? 1)));
  return child;
}

/** True when something accepts connections on host:port (the server has started listening). */
const listening = (host, port) =>
  new Promise((done) => {
    const socket = connect(Number(port), host)
      .once('connect', () => {
        socket.destroy();
        done(true);
      })
      .once('error', () => done(false));
  });

/**
 * Polls the app's probe until it answers 2xx. No deadline while it builds (Nx shows that); READY_TIMEOUT_MS once
 * its port accepts connections. Rejects when the deadline passes or the Nx run ends first (a failed build).
 */
async function waitUntilAnswers(app, child) {
  let deadline = Infinity;
  let exited = false;
  child.exited.then(() => (exited = true));
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (exited) throw new Error(`the ${app.name} stopped before it answered: its build or start failed, see above.`);
    if (deadline === Infinity && (await listening(app.host, app.port))) deadline = Date.now() + READY_TIMEOUT_MS;
    if (deadline !== Infinity) {
      try {
        const response = await fetch(app.probe, { signal: AbortSignal.timeout(5_000) });
        if (response.ok) return;
        last = `HTTP ${response.status}`;
      } catch (error) {
        last = error.cause?.code ?? error.message;
      }
    }
    await sleep(POLL_INTERVAL_MS);
  }
  throw new Error(
    `the ${app.name} did not answer ${app.probe} within ${READY_TIMEOUT_MS / 1000} s of starting (last: ${last}). ` +
      `Read its output above; ${app.hint}.`,
  );
}

for (const app of apps) {
  if (!(await portIsFree(app.host, app.port))) {
    fail(
      `port ${app.port} (${app.name}) is already in use on ${app.host}. Stop what listens there ` +
        `(\`ss -ltnp 'sport = :${app.port}'\` shows it) or start on other ports:\n  ${otherPorts}`,
    );
    process.exit();
  }
}

console.log('Building and starting backend and frontend with Nx (a first build takes a minute or two)…\n');
// One Nx run per app so each gets its own PORT, and the backend starts as soon as its own (quick) build is done.
// `stream`: every build's output as it comes, each line prefixed with its task (the TUI would hide our lines).
const nx = createRequire(import.meta.url).resolve('nx/bin/nx.js');
const servers = apps.map((app) => ({
  app,
  child: run(process.execPath, [nx, 'run', `${app.name}:start`, '--outputStyle=stream'], app.env),
}));
const stopAll = () => servers.forEach(({ child }) => child.exitCode === null && child.kill('SIGTERM'));
let stopRequested = false;
const stop = () => {
  stopRequested = true;
  stopAll();
};
// Ctrl-C reaches Nx and the servers too (same process group); SIGTERM from a supervisor is passed on.
process.once('SIGINT', stop).once('SIGTERM', stop);

try {
  await Promise.all(
    servers.map(async ({ app, child }) => {
      await waitUntilAnswers(app, child);
      console.log(`\n✔ ${app.ready}\n`);
    }),
  );
  console.log(`Open ${frontendUrl.origin} (Ctrl-C stops both servers).\n`);
} catch (error) {
  if (!stopRequested) fail(error.message);
  stopAll();
}

// One server stopping (a crash, or Ctrl-C) stops the other: the stack runs whole or not at all.
const first = await Promise.race(servers.map(async ({ app, child }) => ({ app, code: await child.exited })));
if (!stopRequested && process.exitCode !== 1 && first.code !== 0)
  fail(`the ${first.app.name} stopped (exit code ${first.code}).`);
stopAll();
await Promise.all(servers.map(({ child }) => child.exited));
