// @ts-check
/**
 * The chart's cluster promises, on the real-node test cluster (tools/test-cluster/suites/chart.sh installs the release first):
 * sign up and create a task through the backend Service; the task survives the deletion of the PostgreSQL pod;
 * `--set backend.replicas=3` gives three pods that all serve; a killed backend pod and a rolling upgrade under a steady
 * request loop fail no request.
 *
 * The host reaches the backend Service by its ClusterIP (kube-proxy's iptables rules apply to the host's own traffic),
 * one new TCP connection per request, so kube-proxy balances every request and a request never rides a connection
 * to a pod that is gone. (The Ingress, served by Traefik, has its own suite: ingress.test.mjs.)
 *
 * Env (set by tools/test-cluster/suites/chart.sh): KUBECONFIG, KUBECTL, HELM, CLUSTER_NAMESPACE, CLUSTER_RELEASE, CLUSTER_CHART,
 * FRONTEND_IMAGE (required: without it the frontend's tests fail, they are never skipped).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { env, inNamespace, isReady, request as send, sleep, waitFor } from './helpers.mjs';

const NS = env('CLUSTER_NAMESPACE');
const RELEASE = env('CLUSTER_RELEASE');
const CHART = env('CLUSTER_CHART');
const BACKEND = `${RELEASE}-todo-stack-backend`;
const POSTGRES_POD = `${RELEASE}-todo-stack-postgresql-0`;
const BACKEND_SELECTOR = `app.kubernetes.io/instance=${RELEASE},app.kubernetes.io/component=backend`;
const { kubectl, kubectlJson, helm } = inNamespace(NS);
/** `helm upgrade` of the release with one more value, keeping the others; waits like the deploy does. */
const upgradeWith = (/** @type {string} */ value) =>
  helm('upgrade', RELEASE, CHART, '--reuse-values', '--set', value, '--wait', '--wait-for-jobs', '--timeout', '5m');

/**
 * @typedef {{ metadata: { name: string; uid: string; deletionTimestamp?: string; ownerReferences?: { name: string }[] };
 *   status: { conditions?: { type: string; status: string; lastTransitionTime: string }[] } }} Pod
 */
/** @returns {Promise<Pod[]>} pods of the backend that are not terminating */
async function backendPods() {
  const { items } = await kubectlJson('get', 'pods', '-l', BACKEND_SELECTOR);
  return /** @type {Pod[]} */ (items).filter((pod) => !pod.metadata.deletionTimestamp);
}

/** @type {string} */
let base;
/** @type {string} */
let origin;
/** @type {{ id: string; token: string }} */
let user;
/** @type {string} */
let taskId;

/**
 * One HTTP request to the backend Service on a new connection, as the signed-up user once there is one.
 * @param {string} method
 * @param {string} path
 * @param {{ headers?: Record<string, string>; body?: unknown; timeoutMs?: number }} [options]
 */
function request(method, path, { headers = {}, ...options } = {}) {
  const auth = user ? { authorization: `Bearer ${user.token}` } : {};
  return send(`${base}${path}`, { method, ...options, headers: { origin, ...auth, ...headers } });
}

/**
 * A steady request loop (GET the user's tasks every `intervalMs`, each on a new connection) until stop().
 * @param {number} intervalMs
 */
function requestLoop(intervalMs = 50) {
  const stats = { total: 0, ok: 0, /** @type {string[]} */ failures: [] };
  const started = Date.now();
  /** @type {Promise<void>[]} */
  const inFlight = [];
  const timer = setInterval(() => {
    const at = Date.now() - started;
    const id = `loop-${randomBytes(6).toString('hex')}`;
    stats.total++;
    inFlight.push(
      request('GET', `/api/${user.id}/tasks`, { headers: { 'x-request-id': id } }).then(
        (res) => {
          if (res.status === 200) stats.ok++;
          else stats.failures.push(`${at} ms: HTTP ${res.status} ${res.text.slice(0, 120)}`);
        },
        (err) => stats.failures.push(`${at} ms: ${err.message}`),
      ),
    );
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
      return { ...stats, seconds: Math.round((Date.now() - started) / 100) / 10 };
    },
  };
}

/** Counts, per backend pod, the access-log lines of the given request ids (pino logs `request_id`). */
async function requestsPerPod(/** @type {string[]} */ ids) {
  const wanted = new Set(ids);
  /** @type {Record<string, number>} */
  const counts = {};
  for (const pod of await backendPods()) {
    const logs = await kubectl('logs', pod.metadata.name, '--since=10m');
    counts[pod.metadata.name] = logs
      .split('\n')
      .filter((line) => line.includes('request completed'))
      .map((line) => {
        try {
          return JSON.parse(line).request_id;
        } catch {
          return undefined;
        }
      })
      .filter((id) => wanted.has(id)).length;
  }
  return counts;
}

async function backendRevision() {
  const deployment = await kubectlJson('get', 'deployment', BACKEND);
  return deployment.metadata.annotations['deployment.kubernetes.io/revision'];
}

/** Waits until the backend Deployment has rolled out `replicas` Ready pods and nothing else. */
async function backendSettled(/** @type {number} */ replicas) {
  await waitFor(`${replicas} Ready backend pods`, async () => {
    const d = await kubectlJson('get', 'deployment', BACKEND);
    const s = d.status;
    const all = (await kubectlJson('get', 'pods', '-l', BACKEND_SELECTOR)).items;
    return (
      s.observedGeneration === d.metadata.generation &&
      s.updatedReplicas === replicas &&
      s.readyReplicas === replicas &&
      (s.replicas ?? 0) === replicas &&
      all.length === replicas
    );
  });
}

const figures = /** @type {Record<string, unknown>} */ ({});
const report = (/** @type {string} */ key, /** @type {unknown} */ value) => {
  figures[key] = value;
  console.log(`# ${key}: ${JSON.stringify(value)}`);
};

before(async () => {
  const service = await kubectlJson('get', 'service', BACKEND);
  base = `http://${service.spec.clusterIP}:${service.spec.ports[0].port}`;
  origin = (await kubectlJson('get', 'configmap', BACKEND)).data.BETTER_AUTH_URL;
  report('backend Service', base);
});

after(() => {
  console.log(`# figures: ${JSON.stringify(figures)}`);
});

test('every pod of the release is Ready, and the backend answers /ready through its Service', async () => {
  const { items } = await kubectlJson('get', 'pods', '-l', `app.kubernetes.io/instance=${RELEASE}`);
  const serving = items.filter((/** @type {any} */ p) => p.metadata.labels['app.kubernetes.io/component'] !== 'test');
  const notReady = serving.filter((/** @type {Pod} */ p) => !isReady(p)).map((/** @type {Pod} */ p) => p.metadata.name);
  assert.deepEqual(notReady, [], `pods not Ready: ${notReady.join(', ')}`);
  const components = new Set(serving.map((/** @type {any} */ p) => p.metadata.labels['app.kubernetes.io/component']));
  assert.ok(components.has('backend') && components.has('postgresql'), `components running: ${[...components]}`);
  assert.ok(env('FRONTEND_IMAGE') && components.has('frontend'), 'no frontend pod runs');
  const ready = await request('GET', '/ready');
  assert.equal(ready.status, 200, ready.text);
  assert.deepEqual(ready.json(), { status: 'ready', database: 'up' });
});

test('the frontend answers through its Service', async () => {
  env('FRONTEND_IMAGE');
  const service = await kubectlJson('get', 'service', `${RELEASE}-todo-stack-frontend`);
  const res = await send(`http://${service.spec.clusterIP}:${service.spec.ports[0].port}/api/health`);
  assert.equal(res.status, 200, res.text);
});

test('sign up and create a task through the backend Service', async () => {
  const email = `cluster-${randomBytes(4).toString('hex')}@example.test`;
  const signUp = await request('POST', '/api/auth/sign-up/email', {
    body: { email, password: 'correct-horse-battery', name: 'Cluster Test' },
  });
  assert.equal(signUp.status, 200, signUp.text);
  const { token, user: created } = signUp.json();
  user = { id: created.id, token };
  const create = await request('POST', `/api/${user.id}/tasks`, { body: { title: 'survive the database pod' } });
  assert.equal(create.status, 201, create.text);
  taskId = create.json().id;
  const list = await request('GET', `/api/${user.id}/tasks`);
  assert.equal(list.status, 200, list.text);
  assert.ok(
    list.json().tasks.some((/** @type {{ id: string }} */ t) => t.id === taskId),
    'the new task is listed',
  );
});

test('the task survives the deletion of the PostgreSQL pod', { timeout: 300_000 }, async () => {
  assert.ok(taskId, 'needs the task of the previous test');
  const before = await kubectlJson('get', 'pod', POSTGRES_POD);
  const started = Date.now();
  await kubectl('delete', 'pod', POSTGRES_POD, '--wait=true', '--timeout=120s');
  const pod = await waitFor('a new, Ready PostgreSQL pod', async () => {
    const p = await kubectlJson('get', 'pod', POSTGRES_POD);
    return p.metadata.uid !== before.metadata.uid && isReady(p) ? p : undefined;
  });
  report('postgresql pod deleted → new pod Ready (ms)', Date.now() - started);
  assert.equal(
    pod.spec.volumes.find((/** @type {any} */ v) => v.name === 'data').persistentVolumeClaim.claimName,
    `data-${POSTGRES_POD}`,
    'the new pod mounts the same claim',
  );
  // The backend's pool reconnects on its own; /ready turns 200 again once it does.
  const list = await waitFor(
    'the backend to serve the task list again',
    async () => {
      const res = await request('GET', `/api/${user.id}/tasks`);
      return res.status === 200 ? res : undefined;
    },
    120_000,
  );
  report('postgresql pod deleted → task list served again (ms)', Date.now() - started);
  assert.ok(
    list
      .json()
      .tasks.some(
        (/** @type {{ id: string; title: string }} */ t) => t.id === taskId && t.title === 'survive the database pod',
      ),
    `the task is gone after the PostgreSQL pod came back: ${list.text}`,
  );
});

test('--set backend.replicas=3 gives three pods, and requests reach all three', { timeout: 400_000 }, async () => {
  const started = Date.now();
  await upgradeWith('backend.replicas=3');
  await backendSettled(3);
  report('helm upgrade backend.replicas=3 → 3 Ready (ms)', Date.now() - started);
  const pods = await backendPods();
  assert.equal(pods.length, 3);
  assert.ok(pods.every(isReady));

  const ids = Array.from({ length: 60 }, (_, i) => `spread-${i}-${randomBytes(4).toString('hex')}`);
  for (const id of ids) {
    const res = await request('GET', `/api/${user.id}/tasks`, { headers: { 'x-request-id': id } });
    assert.equal(res.status, 200, res.text);
  }
  // Logs reach `kubectl logs` through the kubelet's log files: give the last lines a moment.
  const counts = await waitFor(
    'every request in a pod log',
    async () => {
      const c = await requestsPerPod(ids);
      return Object.values(c).reduce((a, b) => a + b, 0) === ids.length ? c : undefined;
    },
    30_000,
  );
  report('requests per backend pod (60 requests)', counts);
  assert.equal(Object.keys(counts).length, 3);
  for (const [pod, n] of Object.entries(counts))
    assert.ok(n > 0, `pod ${pod} served no request: ${JSON.stringify(counts)}`);
});

test('a backend pod killed under a steady request loop: no failed request', { timeout: 300_000 }, async () => {
  await backendSettled(3);
  const loop = requestLoop(50);
  await sleep(3000);
  const victim = (await backendPods())[0].metadata.name;
  const started = Date.now();
  await kubectl('delete', 'pod', victim, '--wait=false');
  await waitFor('the killed pod to be replaced', async () => {
    const pods = await backendPods();
    return pods.length === 3 && pods.every(isReady) && !pods.some((p) => p.metadata.name === victim);
  });
  report('backend pod killed → replacement Ready (ms)', Date.now() - started);
  await waitFor(
    'the killed pod to be gone',
    async () => (await kubectlJson('get', 'pods', '-l', BACKEND_SELECTOR)).items.length === 3,
  );
  await sleep(3000);
  const stats = await loop.stop();
  report('pod kill under load', {
    requests: stats.total,
    ok: stats.ok,
    failed: stats.failures.length,
    seconds: stats.seconds,
  });
  assert.ok(stats.total >= 100, `the loop sent only ${stats.total} requests`);
  assert.deepEqual(stats.failures, [], `${stats.failures.length} of ${stats.total} requests failed`);
  assert.equal(stats.ok, stats.total);
});

test(
  'a rolling upgrade (config change) under a steady request loop: no failed request',
  { timeout: 400_000 },
  async () => {
    await backendSettled(3);
    const revisionBefore = await backendRevision();
    const podsBefore = new Set((await backendPods()).map((p) => p.metadata.name));
    const loop = requestLoop(50);
    await sleep(3000);
    const started = Date.now();
    // A ConfigMap change: the pod template's checksum/config changes, so every pod is replaced.
    await upgradeWith(`backend.config.openaiModel=rollout-${Date.now()}`);
    await backendSettled(3);
    report('rolling upgrade → 3 new pods Ready (ms)', Date.now() - started);
    await sleep(3000);
    const stats = await loop.stop();
    report('rolling upgrade under load', {
      requests: stats.total,
      ok: stats.ok,
      failed: stats.failures.length,
      seconds: stats.seconds,
    });
    assert.notEqual(await backendRevision(), revisionBefore, 'the Deployment did not roll');
    const podsAfter = (await backendPods()).map((p) => p.metadata.name);
    assert.deepEqual(
      podsAfter.filter((name) => podsBefore.has(name)),
      [],
      'some pods were not replaced',
    );
    assert.ok(stats.total >= 100, `the loop sent only ${stats.total} requests`);
    assert.deepEqual(stats.failures, [], `${stats.failures.length} of ${stats.total} requests failed`);
    // The data is still there after all of it.
    const list = await request('GET', `/api/${user.id}/tasks`);
    assert.ok(list.json().tasks.some((/** @type {{ id: string }} */ t) => t.id === taskId));
  },
);
