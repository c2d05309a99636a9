// @ts-check
/**
 * Live update for real: `npx nx run deploy:minikube --watch --live` against the real-node test cluster, in a scratch
 * copy of the workspace (watch-support.mjs). The node shares this machine's file system, so the pods mount the copy
 * by hostPath (on Minikube, minikube/start.sh mounts the workspace in the node). Asserts what happened, never how
 * long it took: a backend source edit is answered by the same pods (no new ReplicaSet, no new pod, no container
 * restart), a page edit is served by the frontend's dev server, a migration edit takes the image-and-roll path and
 * says why. Prints the figures of docs/benchmarks.md (live update): edit → new code answering through the Service,
 * the bytes the bundle build wrote, the loop's phases.
 *
 * Run by tools/test-cluster/suites/executor.sh after watch.test.mjs. Env as watch.test.mjs, and LIVE_CLUSTER_TEST=1.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { waitFor as poll } from '@todo-stack/testing';
import { request, run, waitFor } from './helpers.mjs';
import { finish, scratchWorkspace, Watch, watchArgs } from './watch-support.mjs';

const enabled = process.env.LIVE_CLUSTER_TEST === '1';
// No Pod Security label: live pods mount the workspace by hostPath, which only the `privileged` level admits.
const NS = 'todo-live';
const RELEASE = 'todo-stack';
const HEALTH_ROUTE = 'apps/backend/src/app/routes/health.ts';
const SIGN_IN_PAGE = 'apps/frontend/src/app/sign-in/page.tsx';
const MIGRATION = 'apps/backend/drizzle/0002_rate_limits.sql';
const EDITS = 3;
const REGISTRY = process.env.REGISTRY ?? 'localhost:16500';
/** @param {string[]} args */
const kubectlJson = async (...args) =>
  JSON.parse((await run('kubectl', ['-n', NS, ...args, '-o', 'json'], { maxBuffer: 64 << 20 })).stdout);

/** @type {Record<string, unknown>} */
const figures = {};
const report = (/** @type {string} */ key, /** @type {unknown} */ value) => {
  figures[key] = value;
  console.log(`# ${key}: ${JSON.stringify(value)}`);
};
const median = (/** @type {number[]} */ values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** The release's pods and ReplicaSets, by what identifies them: a rollout or a container restart changes this. */
async function workloads() {
  const selector = `app.kubernetes.io/instance=${RELEASE}`;
  const replicaSets = (await kubectlJson('get', 'replicasets', '-l', selector)).items
    .filter((/** @type {any} */ rs) => rs.spec.replicas > 0)
    .map((/** @type {any} */ rs) => rs.metadata.name)
    .sort();
  const pods = (
    await kubectlJson('get', 'pods', '-l', `${selector},app.kubernetes.io/component in (backend,frontend)`)
  ).items
    .filter((/** @type {any} */ pod) => !pod.metadata.deletionTimestamp)
    .map(
      (/** @type {any} */ pod) =>
        `${pod.metadata.name} ${pod.metadata.uid} restarts=${pod.status.containerStatuses?.[0]?.restartCount}`,
    )
    .sort();
  return { replicaSets, pods };
}

/** When `url` first answers with `matches(answer)` true, polled every 50 ms (ms since the epoch). */
function answeredAt(
  /** @type {string} */ what,
  /** @type {string} */ url,
  /** @type {(answer: any) => boolean} */ matches,
) {
  return poll(
    async () => {
      const answer = await request(url, { timeoutMs: 5000 }).catch(() => undefined);
      return answer && matches(answer) ? Date.now() : undefined;
    },
    { timeoutMs: 300_000, intervalMs: 50, what },
  );
}

/** The Service of `component` as this machine reaches it (kube-proxy on the node: its ClusterIP). */
async function serviceUrl(/** @type {string} */ component, /** @type {string} */ pathname) {
  const service = (await kubectlJson('get', 'services', '-l', `app.kubernetes.io/component=${component}`)).items[0];
  return `http://${service.spec.clusterIP}:${service.spec.ports[0].port}${pathname}`;
}

describe(
  'npx nx run deploy:minikube --watch --live on the real-node test cluster',
  { skip: !enabled && 'run through tools/test-cluster/suites/executor.sh' },
  () => {
    /** @type {string} */
    let scratch;
    /** @type {Watch} */
    let watch;

    before(async () => {
      await run('kubectl', ['create', 'namespace', NS]);
      scratch = scratchWorkspace();
      const started = Date.now();
      // Through the node's registry, as the watch suite: the images are there already (that suite pushed them).
      const args = watchArgs({
        namespace: NS,
        nodePort: 30082,
        transport: 'registry',
        registry: REGISTRY,
        extra: ['--live'],
      });
      watch = new Watch(scratch, args, '.nx/live-profile.json');
      await watch.line(/👀 watching/, 0, 1_200_000);
      report('live: first deploy until watching (s)', (Date.now() - started) / 1000);
    });

    after(() => finish({ watch, scratch, namespace: NS, figures }));

    test('the pods run the workspace: the backend its bundle, the frontend Next.js dev server', async () => {
      assert.match(watch.output, /▸ live update/);
      assert.match(watch.output, new RegExp(`the workspace is ${scratch} on the node`));
      const pods = (await kubectlJson('get', 'pods', '-l', 'todo-stack.dev/live-update=true')).items;
      const byComponent = Object.fromEntries(
        pods.map((/** @type {any} */ pod) => [pod.metadata.labels['app.kubernetes.io/component'], pod]),
      );
      assert.deepEqual(Object.keys(byComponent).sort(), ['backend', 'frontend']);
      const volumes = (/** @type {any} */ pod) =>
        pod.spec.volumes.flatMap((/** @type {any} */ v) => v.hostPath?.path ?? []);
      assert.deepEqual(volumes(byComponent.backend), [scratch]);
      assert.ok(byComponent.backend.spec.containers[0].command.includes('/workspace/apps/backend/tmp/live/runner.mjs'));
      assert.deepEqual(volumes(byComponent.frontend), [scratch, path.join(scratch, 'apps/frontend/next-env.d.ts')]);
      assert.ok(byComponent.frontend.spec.containers[0].command.includes('dev'));
    });

    test(
      'a backend source edit: the same pods answer with the new code, nothing rolls',
      { timeout: 600_000 },
      async () => {
        const health = await serviceUrl('backend', '/health');
        await waitFor('the backend Service to answer', async () => (await request(health)).status === 200, 120_000);
        const file = path.join(scratch, HEALTH_ROUTE);
        const original = readFileSync(file, 'utf8');
        const before = await workloads();
        /** @type {number[]} */
        const served = [];
        for (let edit = 1; edit <= EDITS; edit++) {
          const marker = `live-${edit}-${Date.now()}`;
          const edited = original.replace(
            "async () => ({ status: 'ok' as const }),",
            `async (_request, reply) => reply.header('x-live-edit', '${marker}').send({ status: 'ok' as const }),`,
          );
          assert.notEqual(edited, original, `${HEALTH_ROUTE} no longer has the line this test edits`);
          const offset = watch.output.length;
          const saved = Date.now();
          writeFileSync(file, edited);
          const at = await answeredAt(
            'the edit through the Service',
            health,
            (a) => a.headers['x-live-edit'] === marker,
          );
          served.push((at - saved) / 1000);
          const summary = await watch.line(/^⚡ changed apps\/backend\/src\/app\/routes\/health\.ts/, offset);
          report(`live backend edit ${edit}: edit → new code answering through the Service (s)`, (at - saved) / 1000);
          report(`live backend edit ${edit}: loop summary`, summary);
          assert.match(summary, /live: backend bundle rebuilt, \d+ files? \([\d.]+ MB\) written, restarting in place/);
        }
        report('live backend edit: median edit → answering (s)', median(served));
        assert.deepEqual(await workloads(), before, 'no new ReplicaSet, no new pod, no container restart');
        writeFileSync(file, original);
      },
    );

    test('a page edit: the frontend dev server serves it, nothing rolls', { timeout: 900_000 }, async () => {
      const page = await serviceUrl('frontend', '/sign-in');
      // The dev server compiles a route at its first request.
      const warm = Date.now();
      await waitFor(
        'the sign-in page',
        async () => (await request(page, { timeoutMs: 120_000 })).status === 200,
        600_000,
      );
      report('live frontend: first request of /sign-in (compile) (s)', (Date.now() - warm) / 1000);
      const file = path.join(scratch, SIGN_IN_PAGE);
      const original = readFileSync(file, 'utf8');
      const before = await workloads();
      /** @type {number[]} */
      const served = [];
      for (let edit = 1; edit <= EDITS; edit++) {
        const marker = `Live ${edit} ${Date.now()}`;
        const edited = original.replace("title: 'Sign in'", `title: 'Sign in ${marker}'`);
        assert.notEqual(edited, original, `${SIGN_IN_PAGE} no longer has the title this test edits`);
        const offset = watch.output.length;
        const saved = Date.now();
        writeFileSync(file, edited);
        const at = await answeredAt('the page edit through the Service', page, (a) => a.text.includes(marker));
        served.push((at - saved) / 1000);
        report(`live page edit ${edit}: edit → served through the Service (s)`, (at - saved) / 1000);
        const summary = await watch.line(/^⚡ changed apps\/frontend\/src\/app\/sign-in\/page\.tsx/, offset);
        report(`live page edit ${edit}: loop summary`, summary);
        assert.match(summary, /frontend: its dev server recompiles/);
      }
      report('live page edit: median edit → served (s)', median(served));
      assert.deepEqual(await workloads(), before, 'no new ReplicaSet, no new pod, no container restart');
      writeFileSync(file, original);
    });

    test('a migration edit: the loop falls back to image-and-roll and says why', { timeout: 900_000 }, async () => {
      const before = await workloads();
      const file = path.join(scratch, MIGRATION);
      const offset = watch.output.length;
      writeFileSync(file, `${readFileSync(file, 'utf8')}\n-- live-update.test.mjs: a migration edit\n`);
      const summary = await watch.line(/^↻ changed apps\/backend\/drizzle\//, offset);
      report('live: migration edit, loop summary', summary);
      assert.match(summary, /image-and-roll: apps\/backend\/drizzle\/\S+ is a build asset such as a migration/);
      assert.match(summary, /rebuilt backend │ rolled backend/);
      const after = await workloads();
      assert.notDeepEqual(after.replicaSets, before.replicaSets, 'the backend rolled: a new ReplicaSet');
    });
  },
);
