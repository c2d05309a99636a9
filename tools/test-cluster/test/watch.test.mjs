// @ts-check
/**
 * The inner loop for real: `npx nx run deploy:minikube --watch --transport=registry` against the real-node test
 * cluster (started with `up.sh --registry`), in a scratch copy of the workspace (a clone of HEAD with this
 * workspace's node_modules as hard links and its Nx image records). A one-line backend edit (a response header of
 * /health) must reach the cluster: the loop rebuilds and rolls the backend without the chart's migration Job, and
 * its Service serves the header. An edit of a backend test file and a save that changes nothing must roll nothing.
 * A frontend edit rolls the frontend; an edit of a migration runs the migration Job. Prints the figures of
 * docs/benchmarks.md (inner loop): edit → serving (backend, and frontend with its Next.js build apart), the loop's
 * phases, bytes into the registry versus the whole image that `load` would send.
 *
 * Run by tools/test-cluster/suites/executor.sh after executor.test.mjs (warm Nx cache: the first deploy is cache hits).
 * Env: WATCH_CLUSTER_TEST=1, KUBECONFIG, POSTGRES_IMAGE, INPUT_BUILD_ARGS, REGISTRY (host:port, default
 * localhost:16500) and REGISTRY_DIR (its storage, default /var/lib/todo-test-cluster/registry); kubectl on PATH.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { request, waitFor } from './helpers.mjs';
import { finish, scratchWorkspace, Watch, watchArgs } from './watch-support.mjs';

const enabled = process.env.WATCH_CLUSTER_TEST === '1';
const NS = 'todo-watch';
const RELEASE = 'todo-stack';
const REGISTRY = process.env.REGISTRY ?? 'localhost:16500';
/** registry (what CI runs); WATCH_TRANSPORT=load measures the whole-image transport the same way. */
const TRANSPORT = process.env.WATCH_TRANSPORT ?? 'registry';
const REGISTRY_DIR = process.env.REGISTRY_DIR ?? '/var/lib/todo-test-cluster/registry';
const HEALTH_ROUTE = 'apps/backend/src/app/routes/health.ts';
const TEST_FILE = 'apps/backend/test/config.test.ts';
const FRONTEND_HEALTH_ROUTE = 'apps/frontend/src/app/api/health/route.ts';
const MIGRATION = 'apps/backend/drizzle/0002_rate_limits.sql';
const NX_PROFILE = '.nx/loop-profile.json';
const run = promisify(execFile);

/** @param {string[]} args */
const kubectl = async (...args) => (await run('kubectl', ['-n', NS, ...args], { maxBuffer: 64 << 20 })).stdout;
/** @param {string[]} args */
const kubectlJson = async (...args) => JSON.parse(await kubectl(...args, '-o', 'json'));
/** Generation of each Deployment of the release: a rollout moves it. */
async function generations() {
  const { items } = await kubectlJson('get', 'deployments', '-l', `app.kubernetes.io/instance=${RELEASE}`);
  return Object.fromEntries(items.map((/** @type {any} */ d) => [d.metadata.name, d.metadata.generation]));
}

/** The namespace's events since `since` (ms), oldest first: "7s Pod/todo-stack-backend-… Started" (1 s precision). */
async function eventsSince(/** @type {number} */ since) {
  const { items } = await kubectlJson('get', 'events');
  return items
    .map((/** @type {any} */ e) => ({
      at: Date.parse(e.eventTime ?? e.lastTimestamp ?? e.firstTimestamp),
      what: `${e.involvedObject.kind}/${e.involvedObject.name} ${e.reason}`,
    }))
    .filter((e) => e.at >= since - 1000)
    .sort((a, b) => a.at - b.at)
    .map((e) => `${Math.round((e.at - since) / 1000)}s ${e.what}`);
}

/**
 * Pods of the migration Job that the namespace's events mention. Each run of the Job has a pod of its own name, so a
 * name that was not there before a save is a run the save caused; the Job itself is deleted once it succeeds, and its
 * events have 1 s precision, so neither tells a new run from the last one's completion a second before the save.
 */
async function migrationPods() {
  const { items } = await kubectlJson('get', 'events');
  return new Set(
    items
      .map((/** @type {any} */ e) => e.involvedObject)
      .filter((object) => object.kind === 'Pod' && object.name.startsWith(`${RELEASE}-migrate-`))
      .map((object) => object.name),
  );
}
const newer = (/** @type {Set<string>} */ before, /** @type {Set<string>} */ after) =>
  [...after].filter((name) => !before.has(name));

/** When the Service at `url` first answered with the edit's `x-watch-edit: marker` header (ms). */
function servedAt(/** @type {string} */ app, /** @type {string} */ url, /** @type {string} */ marker) {
  return waitFor(
    `the ${app} Service to serve the edit`,
    async () => {
      const answer = await request(url, { timeoutMs: 2000 }).catch(() => undefined);
      return answer?.headers['x-watch-edit'] === marker ? Date.now() : undefined;
    },
    600_000,
  );
}

/** Bytes under a directory (the registry's storage grows by what a push sent). */
function bytesUnder(/** @type {string} */ dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    total += entry.isDirectory() ? bytesUnder(file) : entry.isFile() ? statSync(file).size : 0;
  }
  return total;
}

/** Bytes of `docker save REF`: what `load` (load-image.sh, minikube image load) sends for that image. */
function savedBytes(/** @type {string} */ ref) {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', ['save', ref], { stdio: ['ignore', 'pipe', 'inherit'] });
    let bytes = 0;
    child.stdout.on('data', (chunk) => (bytes += chunk.length));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(bytes) : reject(new Error(`docker save ${ref}: exit ${code}`))));
  });
}

/** @type {Record<string, unknown>} */
const figures = {};
const report = (/** @type {string} */ key, /** @type {unknown} */ value) => {
  figures[key] = value;
  console.log(`# ${key}: ${JSON.stringify(value)}`);
};

describe(
  `npx nx run deploy:minikube --watch --transport=${TRANSPORT} on the real-node test cluster`,
  {
    skip: !enabled && 'run through tools/test-cluster/suites/executor.sh',
  },
  () => {
    /** @type {string} */
    let scratch;
    /** @type {Watch} */
    let watch;
    /** @type {string} */
    let health;

    before(async () => {
      await run('kubectl', ['create', 'namespace', NS]);
      await run('kubectl', ['label', 'namespace', NS, 'pod-security.kubernetes.io/enforce=restricted']);
      scratch = scratchWorkspace();
      const started = Date.now();
      watch = new Watch(
        scratch,
        watchArgs({ namespace: NS, nodePort: 30081, transport: TRANSPORT, registry: REGISTRY }),
        NX_PROFILE,
      );
      await watch.line(/👀 watching/, 0, 1_200_000);
      report('watch: first deploy until watching (s)', (Date.now() - started) / 1000);
      const backend = (await kubectlJson('get', 'services', '-l', 'app.kubernetes.io/component=backend')).items[0];
      health = `http://${backend.spec.clusterIP}:${backend.spec.ports[0].port}/health`;
    });

    after(() => finish({ watch, scratch, namespace: NS, figures }));

    test(
      'the first deploy went through the registry: pods pull its images',
      { skip: TRANSPORT !== 'registry' },
      async () => {
        assert.match(watch.output, new RegExp(`docker push ${REGISTRY}/todo-backend:nx-`));
        const pods = (await kubectlJson('get', 'pods', '-l', 'app.kubernetes.io/component=backend')).items;
        assert.ok(pods.length > 0);
        for (const pod of pods) assert.ok(pod.spec.containers[0].image.startsWith(`${REGISTRY}/todo-backend:`));
        // kube-proxy programs a new Service's rules on its own schedule: wait for the first answer.
        await waitFor(
          'the backend Service to answer',
          async () => (await request(health, { timeoutMs: 2000 })).status === 200,
          60_000,
        );
      },
    );

    test(
      'a backend source edit: the backend rolls and its Service serves the change',
      { timeout: 900_000 },
      async () => {
        const marker = `edit-${Date.now()}`;
        const file = path.join(scratch, HEALTH_ROUTE);
        const original = readFileSync(file, 'utf8');
        const edited = original.replace(
          "async () => ({ status: 'ok' as const }),",
          `async (_request, reply) => reply.header('x-watch-edit', '${marker}').send({ status: 'ok' as const }),`,
        );
        assert.notEqual(edited, original, `${HEALTH_ROUTE} no longer has the line this test edits`);
        const before = await generations();
        const migrationsBefore = await migrationPods();
        const registryBefore = bytesUnder(REGISTRY_DIR);
        const offset = watch.output.length;
        const saved = Date.now();
        writeFileSync(file, edited);

        const served = await servedAt('backend', health, marker);
        report('backend edit → served through the Service (s)', (served - saved) / 1000);
        const summary = await watch.line(/^↻ changed apps\/backend\/src\/app\/routes\/health\.ts/, offset);
        report('backend edit: loop summary', summary);
        assert.match(summary, /rebuilt backend │ rolled backend/);
        const events = await eventsSince(saved);
        report('backend edit: what the roll was made of (cluster events, s after the save)', events);
        // The migrations did not change: the upgrade leaves the chart's migration Job out.
        assert.deepEqual(newer(migrationsBefore, await migrationPods()), [], events.join('\n'));
        const after = await generations();
        assert.deepEqual(
          Object.keys(after).filter((name) => after[name] !== before[name]),
          [`${RELEASE}-backend`],
        );
        report(
          `backend edit: bytes into the registry (transport ${TRANSPORT})`,
          bytesUnder(REGISTRY_DIR) - registryBefore,
        );
        // The rolled image, as Docker names it (the registry prefix is the pods' name for it).
        const { image } = (await kubectlJson('get', 'deployment', `${RELEASE}-backend`)).spec.template.spec
          .containers[0];
        report(
          'backend edit: bytes of docker save of the new image (what load sends)',
          await savedBytes(image.split('/').at(-1)),
        );
      },
    );

    test('a save that changes nothing, and a backend test file edit: nothing rolls', { timeout: 600_000 }, async () => {
      const before = await generations();
      const route = path.join(scratch, HEALTH_ROUTE);
      let offset = watch.output.length;
      let saved = Date.now();
      writeFileSync(route, readFileSync(route, 'utf8'));
      const noop = await watch.line(/^↻ changed apps\/backend\/src\/app\/routes\/health\.ts/, offset);
      report('no-op save → loop line (s)', (Date.now() - saved) / 1000);
      report('no-op save: loop summary', noop);
      // Same content as deployed: decided in-process (Nx's file index), no `nx run-many`.
      assert.match(noop, /nothing to deploy: contents as deployed/);

      const testFile = path.join(scratch, TEST_FILE);
      offset = watch.output.length;
      saved = Date.now();
      writeFileSync(testFile, `${readFileSync(testFile, 'utf8')}\n// watch.test.mjs: a test-only edit\n`);
      const testOnly = await watch.line(/^↻ changed apps\/backend\/test\/config\.test\.ts/, offset);
      report('test file edit → loop line (s)', (Date.now() - saved) / 1000);
      report('test file edit: loop summary', testOnly);
      // Not an input of the backend image (the `production` named input leaves test/ out): no `nx run-many` either.
      assert.match(testOnly, /nothing to deploy: no app image input/);
      assert.deepEqual(await generations(), before);
    });

    test(
      'a frontend source edit: the frontend rolls and its Service serves the change',
      { timeout: 900_000 },
      async () => {
        const marker = `edit-${Date.now()}`;
        const file = path.join(scratch, FRONTEND_HEALTH_ROUTE);
        const original = readFileSync(file, 'utf8');
        const edited = original.replace(
          "'cache-control': 'no-store' }",
          `'cache-control': 'no-store', 'x-watch-edit': '${marker}' }`,
        );
        assert.notEqual(edited, original, `${FRONTEND_HEALTH_ROUTE} no longer has the line this test edits`);
        const frontend = (await kubectlJson('get', 'services', '-l', 'app.kubernetes.io/component=frontend')).items[0];
        const url = `http://${frontend.spec.clusterIP}:${frontend.spec.ports[0].port}/api/health`;
        const offset = watch.output.length;
        const saved = Date.now();
        writeFileSync(file, edited);

        const served = await servedAt('frontend', url, marker);
        report('frontend edit → served through the Service (s)', (served - saved) / 1000);
        const summary = await watch.line(/^↻ changed apps\/frontend\/src\/app\/api\/health\/route\.ts/, offset);
        report('frontend edit: loop summary', summary);
        assert.match(summary, /rebuilt frontend │ rolled frontend/);
        // The loop's build phase is Nx's frontend:build (next build) and then frontend:container (docker build).
        const events = JSON.parse(readFileSync(path.join(scratch, NX_PROFILE), 'utf8'));
        for (const task of ['frontend:build', 'frontend:container']) {
          const event = events.find((/** @type {any} */ e) => e.ph === 'X' && e.name === task);
          report(`frontend edit: ${task} in the loop (s)`, event ? Math.round(event.dur / 1000) / 1000 : 'not run');
        }
      },
    );

    test(
      'a migration edited: the loop runs the migration Job before the backend rolls',
      { timeout: 900_000 },
      async () => {
        const file = path.join(scratch, MIGRATION);
        const migrationsBefore = await migrationPods();
        const offset = watch.output.length;
        const saved = Date.now();
        // A comment: the applied migration is not applied again (drizzle keeps its journal), but its files changed.
        writeFileSync(file, `${readFileSync(file, 'utf8')}\n-- watch.test.mjs: a migration edit\n`);
        const summary = await watch.line(/^↻ changed apps\/backend\/drizzle\//, offset);
        report('migration edit → loop line (s)', (Date.now() - saved) / 1000);
        report('migration edit: loop summary', summary);
        assert.match(summary, /rebuilt backend │ rolled backend/);
        const events = await eventsSince(saved);
        report('migration edit: cluster events (s after the save)', events);
        assert.ok(newer(migrationsBefore, await migrationPods()).length > 0, events.join('\n'));
      },
    );
  },
);
