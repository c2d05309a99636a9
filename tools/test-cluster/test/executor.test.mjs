// @ts-check
/**
 * The deploy executor for real: `npx nx run deploy:minikube --kubeContext=current --loadCommand=...` (the user's
 * command, values-dev.yaml by default) against the real-node test cluster. First deploy (pods Ready, helm test, the
 * app answers); a re-run with nothing changed touches nothing (no helm revision, no pod or Job, no Deployment
 * generation) and says "unchanged"; a frontend-only source change rolls only the frontend; a missing image and a
 * backend that refuses its configuration fail with the diagnosis (reason, events, logs) and a non-zero exit.
 *
 * Run by tools/test-cluster/suites/executor.sh, which starts the cluster and sets the env below; skipped anywhere else (it
 * lives next to chart.test.mjs, which tools/test-cluster/suites/chart.sh runs with a glob).
 * Env: EXECUTOR_CLUSTER_TEST=1, KUBECONFIG, POSTGRES_IMAGE (loaded as an extraImage: the node pulls nothing),
 * INPUT_BUILD_ARGS (the container targets' BASE_IMAGE), kubectl and helm on PATH.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runCollecting, scriptedNxEnv } from '@todo-stack/testing';
import { request } from './helpers.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const enabled = process.env.EXECUTOR_CLUSTER_TEST === '1';
const NS = 'todo'; // the executor's defaults (schema.json)
const RELEASE = 'todo-stack';
const run = promisify(execFile);

/**
 * What the test cluster needs besides the user's command: its node cannot pull, so PostgreSQL comes from the local
 * Docker like the apps (extraImages + pullPolicy Never, the local image's name). values-dev.yaml already sets
 * pullPolicy Never for the apps and the node's default StorageClass serves the PVC.
 */
function clusterOptions() {
  const postgres = process.env.POSTGRES_IMAGE ?? '';
  const at = postgres.lastIndexOf(':');
  return [
    `--extraImages=${postgres}`,
    `--set=postgresql.image.repository=${postgres.slice(0, at)}`,
    `--set=postgresql.image.tag=${postgres.slice(at + 1)}`,
    '--set=postgresql.image.pullPolicy=Never',
  ];
}

/**
 * `npx nx run deploy:minikube` with the test cluster's options; resolves with exit code, output and wall time.
 * @param {string[]} extra
 */
function deploy(...extra) {
  const args = [
    'nx',
    'run',
    'deploy:minikube',
    '--kubeContext=current',
    '--loadCommand=tools/test-cluster/load-image.sh {ref}',
    ...clusterOptions(),
    '--output-style=static',
    ...extra,
  ];
  return runCollecting('npx', args, {
    cwd: root,
    env: scriptedNxEnv(),
  });
}

/**
 * The diagnosis part of a failed deploy's output (what an assertion about it prints when it fails: the whole
 * output is mostly build logs).
 * @param {string} output
 */
function diagnosisOf(output) {
  const at = output.indexOf('diagnosis: pods that are not Ready');
  return at < 0 ? `no diagnosis in the output; its end:\n${output.slice(-3000)}` : output.slice(at, at + 6000);
}

/** @param {string[]} args */
const kubectl = async (...args) => (await run('kubectl', ['-n', NS, ...args], { maxBuffer: 64 << 20 })).stdout;
/** @param {string[]} args */
const kubectlJson = async (...args) => JSON.parse(await kubectl(...args, '-o', 'json'));
const helmRevision = async () => {
  const { stdout } = await run('helm', ['history', RELEASE, '-n', NS, '-o', 'json']);
  const history = /** @type {{ revision: number; status: string }[]} */ (JSON.parse(stdout));
  return history.at(-1);
};
/** Generation of every Deployment and StatefulSet of the release. */
async function generations() {
  const { items } = await kubectlJson('get', 'deployments,statefulsets', '-l', `app.kubernetes.io/instance=${RELEASE}`);
  return Object.fromEntries(
    items.map((/** @type {any} */ o) => [`${o.kind}/${o.metadata.name}`, o.metadata.generation]),
  );
}
/** Everything that says a pod or Job was made: pod uids, and the events of pod scheduling and Job pod creation. */
async function creations() {
  const pods = (await kubectlJson('get', 'pods')).items.map((/** @type {any} */ p) => `pod ${p.metadata.uid}`);
  const events = (await kubectlJson('get', 'events')).items
    .filter((/** @type {any} */ e) => ['Scheduled', 'SuccessfulCreate'].includes(e.reason))
    .map((/** @type {any} */ e) => `event ${e.metadata.uid} ${e.reason} ${e.message}`);
  return new Set([...pods, ...events]);
}
const isReady = (/** @type {any} */ pod) =>
  pod.status.conditions?.some((/** @type {any} */ c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** @type {Record<string, unknown>} */
const figures = {};
const report = (/** @type {string} */ key, /** @type {unknown} */ value) => {
  figures[key] = value;
  console.log(`# ${key}: ${JSON.stringify(value)}`);
};

describe(
  'npx nx run deploy:minikube on the real-node test cluster',
  { skip: !enabled && 'run through tools/test-cluster/suites/executor.sh' },
  () => {
    before(async () => {
      // As tools/test-cluster/suites/chart.sh does: the release's namespace enforces PodSecurity `restricted`.
      await run('kubectl', ['create', 'namespace', NS]);
      await run('kubectl', ['label', 'namespace', NS, 'pod-security.kubernetes.io/enforce=restricted']);
    });
    after(() => console.log(`# figures: ${JSON.stringify(figures)}`));

    test('first deploy: pods Ready, helm test passed, the app answers', { timeout: 1_800_000 }, async () => {
      const first = await deploy();
      assert.equal(first.code, 0, first.output);
      report('first deploy seconds (with image builds)', first.seconds);
      assert.match(first.output, /Phase:\s+Succeeded/, 'helm test ran and passed');
      assert.match(first.output, /Todo Stack is running/);

      const pods = (await kubectlJson('get', 'pods', '-l', `app.kubernetes.io/instance=${RELEASE}`)).items.filter(
        (/** @type {any} */ p) => p.status.phase !== 'Succeeded',
      );
      const components = new Set(pods.map((/** @type {any} */ p) => p.metadata.labels['app.kubernetes.io/component']));
      assert.deepEqual([...components].sort(), ['backend', 'frontend', 'postgresql']);
      assert.deepEqual(
        pods.filter((/** @type {any} */ p) => !isReady(p)).map((/** @type {any} */ p) => p.metadata.name),
        [],
      );

      // Through the cluster: the backend Service (sign-up, a task, the list), the frontend's NodePort on the node.
      const backend = (await kubectlJson('get', 'services', '-l', 'app.kubernetes.io/component=backend')).items[0];
      const base = `http://${backend.spec.clusterIP}:${backend.spec.ports[0].port}`;
      const origin = (await kubectlJson('get', 'configmap', backend.metadata.name)).data.BETTER_AUTH_URL;
      const signUp = await request(`${base}/api/auth/sign-up/email`, {
        method: 'POST',
        headers: { origin },
        body: { email: `executor-${Date.now()}@example.com`, password: 'correct-horse-battery', name: 'Executor' },
      });
      assert.equal(signUp.status, 200, signUp.text);
      const { token, user } = JSON.parse(signUp.text);
      const auth = { origin, authorization: `Bearer ${token}` };
      const created = await request(`${base}/api/${user.id}/tasks`, {
        method: 'POST',
        headers: auth,
        body: { title: 'deployed by the executor' },
      });
      assert.equal(created.status, 201, created.text);
      const list = await request(`${base}/api/${user.id}/tasks`, { headers: auth });
      assert.ok(JSON.parse(list.text).tasks.some((/** @type {any} */ t) => t.title === 'deployed by the executor'));
      const frontend = (await kubectlJson('get', 'services', '-l', 'app.kubernetes.io/component=frontend')).items[0];
      const nodePort = frontend.spec.ports[0].nodePort;
      assert.match(first.output, new RegExp(`port ${nodePort} of any node`), 'the executor names the NodePort');
      const page = await request(`http://127.0.0.1:${nodePort}/`);
      assert.ok([200, 307].includes(page.status), `frontend NodePort: HTTP ${page.status}`);
    });

    test(
      're-run with nothing changed: no helm revision, no pod or Job, no generation moves; says "unchanged"',
      { timeout: 900_000 },
      async () => {
        const revision = await helmRevision();
        const gens = await generations();
        const made = await creations();
        // --verbose: the executor's last line says where the time went (Nx's start, each CLI call).
        const again = await deploy('--verbose');
        assert.equal(again.code, 0, again.output);
        assert.match(again.output, /unchanged: release todo-stack .* nothing deployed/);
        assert.doesNotMatch(again.output, /helm upgrade --install|helm test/);
        assert.deepEqual(await helmRevision(), revision);
        assert.deepEqual(await generations(), gens);
        const added = [...(await creations())].filter((item) => !made.has(item));
        assert.deepEqual(added, [], 'no pod was created, scheduled or made by a Job');
        report('no-op re-run seconds (npx nx run, in all)', again.seconds);
        report('no-op re-run phases', /⏱ (.*)/.exec(again.output)?.[1]);
      },
    );

    test('a frontend-only source change rolls only the frontend', { timeout: 1_800_000 }, async () => {
      const file = path.join(root, 'apps/frontend/src/app/layout.tsx');
      const original = readFileSync(file, 'utf8');
      const before = await generations();
      try {
        writeFileSync(file, `${original}\n// executor.test.mjs: a frontend-only change ${Date.now()}\n`);
        const changed = await deploy();
        assert.equal(changed.code, 0, changed.output);
        report('frontend-only change seconds (with the frontend image build)', changed.seconds);
      } finally {
        writeFileSync(file, original);
      }
      const after = await generations();
      const moved = Object.keys(after).filter((name) => after[name] !== before[name]);
      assert.deepEqual(moved, [`Deployment/${RELEASE}-frontend`]);
    });

    test(
      'a missing image: the diagnosis names the pod, ErrImageNeverPull, its events; exit non-zero',
      { timeout: 900_000 },
      async () => {
        const failed = await deploy('--set=backend.image.tag=does-not-exist', '--timeout=60s', '--helmTest=false');
        assert.notEqual(failed.code, 0);
        const diagnosis = diagnosisOf(failed.output);
        assert.match(failed.output, /diagnosis: pods that are not Ready/, diagnosis);
        assert.match(
          failed.output,
          /✖ pod \S+: Pending\n\s+\S+: ErrImageNeverPull: Container image "\S*todo-backend:does-not-exist"/,
          diagnosis,
        );
        assert.match(failed.output, /events:\n\s+(Normal|Warning) /, diagnosis);
        report('diagnosis: missing image', /✖ pod[^]*?(?=\n\n|\n✖ deploy)/.exec(failed.output)?.[0]);
      },
    );

    test(
      'a backend that refuses its configuration: CrashLoopBackOff with its log lines; exit non-zero',
      { timeout: 900_000 },
      async () => {
        const failed = await deploy(
          // FRONTEND_ORIGIN must be an origin: the backend's config check stops it at start-up.
          '--set=backend.extraEnvVars[0].name=FRONTEND_ORIGIN',
          '--set=backend.extraEnvVars[0].value=not-an-origin',
          '--timeout=90s',
          '--helmTest=false',
        );
        assert.notEqual(failed.code, 0);
        const diagnosis = diagnosisOf(failed.output);
        assert.match(
          failed.output,
          /✖ pod todo-stack-backend-\S+: Running\n\s+backend: (CrashLoopBackOff|terminated Error)/,
          diagnosis,
        );
        assert.match(
          failed.output,
          /last 20 log lines of backend( \(previous instance\))?:[^]*is not an origin/,
          diagnosis,
        );
        report(
          'diagnosis: crashing backend',
          /✖ pod todo-stack-backend[^]*?(?=\n\n|\n✖ deploy)/.exec(failed.output)?.[0],
        );
      },
    );

    test('after a failed release, the plain command deploys again and succeeds', { timeout: 900_000 }, async () => {
      const recovered = await deploy();
      assert.equal(recovered.code, 0, recovered.output);
      assert.equal((await helmRevision())?.status, 'deployed');
    });
  },
);
