// @ts-check
// Smoke test of compose.yaml with a real PostgreSQL: up → migrations ran → sign up, create and list a task through
// the frontend → restart the backend, then the database → `down` (containers and network gone, volumes kept) and
// `up --wait` → the task and the session are still there (named volume) → down -v.
// Run by tools/ci/containers.sh (not by `npm test`); both app images are required (a missing one fails, never skips):
//   BACKEND_IMAGE=… FRONTEND_IMAGE=… POSTGRES_IMAGE=… node --test tools/containers/test/compose.test.mjs
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort as freePortIn, request, waitFor } from '@todo-stack/testing';
import { requireEnv, uniqueName } from './docker.mjs';

const execFileAsync = promisify(execFile);
const workspaceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const backendImage = requireEnv(
  'BACKEND_IMAGE',
  'run `npx nx run backend:container`, then `eval "$(node tools/containers/image-refs.mjs backend)"`',
);
const frontendImage = requireEnv(
  'FRONTEND_IMAGE',
  'run `npx nx run frontend:container`, then `eval "$(node tools/containers/image-refs.mjs frontend)"`',
);
const project = uniqueName('compose').replace(/^ts-ct-/, 'ts-ci-');
/** Ports this suite may publish: the range owned by the container tests (override with CONTAINER_TEST_PORTS=lo-hi). */
const [portLo, portHi] = (process.env.CONTAINER_TEST_PORTS ?? '43000-43999').split('-').map(Number);

/** A port in the owned range that nothing listens on right now. */
const freePort = () => freePortIn({ range: [portLo, portHi] });

/** @type {NodeJS.ProcessEnv} */
let env;
/** @param {string[]} args */
async function compose(args, timeout = 180_000) {
  try {
    const { stdout } = await execFileAsync(
      'docker',
      ['compose', '--project-name', project, '--file', path.join(workspaceRoot, 'compose.yaml'), ...args],
      {
        env,
        timeout,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    return stdout.trim();
  } catch (error) {
    const e = /** @type {Error & { stderr?: string }} */ (error);
    const logs = await execFileAsync(
      'docker',
      [
        'compose',
        '--project-name',
        project,
        '--file',
        path.join(workspaceRoot, 'compose.yaml'),
        'logs',
        '--no-color',
        '--tail',
        '30',
      ],
      { env },
    ).then(
      (r) => r.stdout,
      () => '',
    );
    throw new Error(`docker compose ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}\n--- logs ---\n${logs}`);
  }
}

/** Figures printed at the end (docs/benchmarks.md). */
const figures = /** @type {Record<string, string>} */ ({});
/** @param {string} key @param {() => Promise<unknown>} fn */
async function timed(key, fn) {
  const started = Date.now();
  await fn();
  figures[key] = `${Date.now() - started} ms`;
}

describe(`compose stack (${backendImage}, ${frontendImage})`, () => {
  /** @type {string} */ let origin;
  /** @type {{ id: string; token: string }} */ let user;
  /** @type {string} */ let taskId;

  const listTitles = async () => {
    const res = await request(`${origin}/api/${user.id}/tasks`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    assert.equal(res.status, 200, res.text);
    return res.json().tasks.map((/** @type {{ title: string }} */ task) => task.title);
  };

  before(async () => {
    const [backendPort, frontendPort] = [await freePort(), await freePort()];
    env = {
      ...process.env,
      BACKEND_IMAGE: backendImage,
      FRONTEND_IMAGE: frontendImage,
      BACKEND_PORT: String(backendPort),
      FRONTEND_PORT: String(frontendPort),
      BETTER_AUTH_SECRET: randomBytes(32).toString('base64'),
      POSTGRES_PASSWORD: randomBytes(12).toString('hex'),
    };
    origin = `http://localhost:${frontendPort}`;
    await timed('compose: up --wait (fresh volume, migrations)', () => compose(['up', '--detach', '--wait']));
  });

  after(async () => {
    if (env)
      await compose(['down', '--volumes', '--remove-orphans', '--timeout', '10']).catch((error) =>
        console.error(error.message),
      );
    const lines = Object.entries(figures).map(([key, value]) => `  ${key}: ${value}`);
    if (lines.length) process.stdout.write(`\nfigures:\n${lines.join('\n')}\n`);
  });

  test('the migrate service ran once and exited 0', async () => {
    const rows = (await compose(['ps', '--all', '--format', 'json', 'migrate']))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    assert.equal(rows.length, 1);
    assert.equal(rows[0].State, 'exited');
    assert.equal(rows[0].ExitCode, 0);
  });

  test('the backend runs read-only with a tmpfs /tmp', async () => {
    const id = await compose(['ps', '--quiet', 'backend']);
    const { stdout } = await execFileAsync('docker', [
      'inspect',
      '--format',
      '{{.HostConfig.ReadonlyRootfs}} {{json .HostConfig.Tmpfs}}',
      id,
    ]);
    assert.match(stdout, /^true \{"\/tmp":""\}/);
  });

  test('frontend: /api/health answers without the backend being called', async () => {
    const res = await request(`${origin}/api/health`);
    assert.equal(res.status, 200);
  });

  test('sign up, create a task and list it (through the frontend origin)', async () => {
    const email = `compose-${randomBytes(4).toString('hex')}@example.test`;
    const signUp = await request(`${origin}/api/auth/sign-up/email`, {
      method: 'POST',
      headers: { origin },
      body: { email, password: 'correct-horse-battery', name: 'Compose Smoke' },
    });
    assert.equal(signUp.status, 200, signUp.text);
    const { token, user: created } = signUp.json();
    user = { id: created.id, token };
    const create = await request(`${origin}/api/${user.id}/tasks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, origin },
      body: { title: 'survive a restart' },
    });
    assert.equal(create.status, 201, create.text);
    taskId = create.json().id;
    assert.deepEqual(await listTitles(), ['survive a restart']);
  });

  test('the task survives `docker compose restart backend`', async () => {
    assert.ok(taskId, 'a task was created');
    await timed('compose: restart backend → healthy', () =>
      compose(['restart', 'backend']).then(() => compose(['up', '--detach', '--wait', 'backend'])),
    );
    assert.deepEqual(await listTitles(), ['survive a restart']);
  });

  test('the task survives a restart of the database container (named volume)', async () => {
    assert.ok(taskId, 'a task was created');
    await timed('compose: restart postgres → tasks listed again', async () => {
      await compose(['restart', 'postgres']);
      // The pool drops the broken connections and reconnects on the next query: the first requests may get a 503.
      await waitFor(async () => (await listTitles()).length === 1, {
        timeoutMs: 60_000,
        intervalMs: 250,
        what: 'the backend to answer from the restarted database',
      });
    });
    assert.deepEqual(await listTitles(), ['survive a restart']);
  });

  test('the task and the session survive `docker compose down` (volumes kept) and `up --wait`', async () => {
    assert.ok(taskId, 'a task was created');
    const containers = async () => (await compose(['ps', '--all', '--quiet'])).split('\n').filter(Boolean);
    const before = await containers();
    await timed('compose: down → up --wait → tasks listed', async () => {
      await compose(['down', '--timeout', '10']);
      assert.deepEqual(await containers(), [], 'down left containers behind');
      await compose(['up', '--detach', '--wait']);
    });
    const now = await containers();
    assert.deepEqual(
      now.filter((id) => before.includes(id)),
      [],
      'up reused containers: down did not remove them',
    );
    // The same bearer token: the session row, like the task, lives in the volume.
    assert.deepEqual(await listTitles(), ['survive a restart']);
  });
});
