// @ts-check
/**
 * Autoscaling seen for real, on the real-node test cluster with metrics-server (tools/test-cluster/suites/chart.sh starts
 * it with `up.sh --metrics-server` and installs the release first):
 *
 * - `kubectl top` answers for the release's pods: metrics-server scrapes the node's kubelet, and the API server's
 *   aggregation layer serves metrics.k8s.io.
 * - The chart's backend HPA (`backend.autoscaling`, a short scale-down window through `backend.autoscaling.behavior`)
 *   adds replicas under load and removes them after it: concurrent clients list a signed-up user's tasks (a session
 *   lookup and a query per request, each on a new connection to the backend Service, so kube-proxy spreads them over
 *   every Ready pod) until the HPA wants more than its minimum and the new pods are Ready; then a light client keeps
 *   running while the HPA scales back down to the minimum, so the pods it removes drain under traffic. Every request
 *   of both phases must succeed. The figures (time to scale up, replicas reached, time to scale down, requests sent)
 *   are printed; no assertion is on time.
 *
 * The release is put back as the suite found it (autoscaling off, its replica count) afterwards.
 * Env (set by tools/test-cluster/suites/chart.sh): KUBECONFIG, KUBECTL, HELM, CLUSTER_NAMESPACE, CLUSTER_RELEASE, CLUSTER_CHART.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { env, inNamespace, isReady, request, sleep, waitFor } from './helpers.mjs';

const NS = env('CLUSTER_NAMESPACE');
const RELEASE = env('CLUSTER_RELEASE');
const CHART = env('CLUSTER_CHART');
const BACKEND = `${RELEASE}-todo-stack-backend`;
const BACKEND_SELECTOR = `app.kubernetes.io/instance=${RELEASE},app.kubernetes.io/component=backend`;
const { kubectl, kubectlJson, helm } = inNamespace(NS);
const MIN = 1;
const MAX = 3;
/**
 * The load: clients that each send their next request 50 ms after the last one answered, at most 160 requests a second
 * in all (each on a new connection: a faster pace would fill the host's ephemeral ports with TIME_WAIT sockets), many
 * times what 70% of the backend's 100m CPU request serves.
 */
const LOAD_CLIENTS = 8;
const LOAD_PAUSE_MS = 50;

/** `helm upgrade` of the release with more values, keeping the others; waits like the deploy does. */
const upgradeWith = (/** @type {string[]} */ ...values) =>
  helm(
    'upgrade',
    RELEASE,
    CHART,
    '--reuse-values',
    ...values.flatMap((v) => ['--set', v]),
    '--wait',
    '--timeout',
    '5m',
  );

const figures = /** @type {Record<string, unknown>} */ ({});
const report = (/** @type {string} */ key, /** @type {unknown} */ value) => {
  figures[key] = value;
  console.log(`# ${key}: ${JSON.stringify(value)}`);
};

/** @type {string} */
let base;
/** @type {string} */
let origin;
/** @type {{ id: string; token: string }} */
let user;
/** The backend's replica count before this suite, put back after it. */
let replicasBefore = 1;

/**
 * `clients` loops, each listing the user's tasks on a new connection and, after `pauseMs`, again, until stop():
 * every answer but a 200 and every error is a failure.
 * @param {number} clients
 * @param {number} pauseMs
 */
function load(clients, pauseMs) {
  const stats = { total: 0, ok: 0, /** @type {string[]} */ failures: [] };
  const started = Date.now();
  let running = true;
  const client = async () => {
    while (running) {
      const at = Date.now() - started;
      stats.total++;
      try {
        const res = await request(`${base}/api/${user.id}/tasks`, {
          headers: { origin, authorization: `Bearer ${user.token}` },
        });
        if (res.status === 200) stats.ok++;
        else stats.failures.push(`${at} ms: HTTP ${res.status} ${res.text.slice(0, 120)}`);
      } catch (err) {
        stats.failures.push(`${at} ms: ${/** @type {Error} */ (err).message}`);
      }
      if (pauseMs) await sleep(pauseMs);
    }
  };
  const done = Promise.all(Array.from({ length: clients }, client));
  return {
    stats,
    async stop() {
      running = false;
      await done;
      return { ...stats, seconds: Math.round((Date.now() - started) / 100) / 10 };
    },
  };
}

/**
 * @typedef {{ metadata: { name: string; deletionTimestamp?: string };
 *   status: { conditions?: { type: string; status: string }[] } }} Pod
 * @typedef {{ spec: { minReplicas: number; maxReplicas: number };
 *   status: { currentReplicas?: number; desiredReplicas?: number;
 *     currentMetrics?: { resource?: { name: string; current: { averageUtilization?: number } } }[] } }} Hpa
 */
/** @returns {Promise<Pod[]>} */
const backendPods = async () => (await kubectlJson('get', 'pods', '-l', BACKEND_SELECTOR)).items;
/** @returns {Promise<Hpa>} */
const hpa = () => kubectlJson('get', 'hpa', BACKEND);
/** The HPA's view: replicas it runs and wants, and the backend's average CPU (% of requests) it last read. */
async function hpaView() {
  const { status } = await hpa();
  const cpu = status.currentMetrics?.find((m) => m.resource?.name === 'cpu')?.resource?.current.averageUtilization;
  return { current: status.currentReplicas ?? 0, desired: status.desiredReplicas ?? 0, cpu };
}

before(async () => {
  const deployment = await kubectlJson('get', 'deployment', BACKEND);
  replicasBefore = deployment.spec.replicas;
  const service = await kubectlJson('get', 'service', BACKEND);
  base = `http://${service.spec.clusterIP}:${service.spec.ports[0].port}`;
  origin = (await kubectlJson('get', 'configmap', BACKEND)).data.BETTER_AUTH_URL;
  const email = `hpa-${randomBytes(4).toString('hex')}@example.test`;
  const signUp = await request(`${base}/api/auth/sign-up/email`, {
    method: 'POST',
    headers: { origin },
    body: { email, password: 'correct-horse-battery', name: 'Autoscaling' },
  });
  assert.equal(signUp.status, 200, signUp.text);
  user = { id: signUp.json().user.id, token: signUp.json().token };
  // The HPA owns the replica count from here; it scales down 30 s after the load instead of Kubernetes' 5 minutes.
  const started = Date.now();
  await upgradeWith(
    'backend.autoscaling.enabled=true',
    `backend.autoscaling.minReplicas=${MIN}`,
    `backend.autoscaling.maxReplicas=${MAX}`,
    'backend.autoscaling.behavior.scaleDown.stabilizationWindowSeconds=30',
  );
  report('helm upgrade backend.autoscaling.enabled=true (ms)', Date.now() - started);
});

after(async () => {
  console.log(`# figures: ${JSON.stringify(figures)}`);
  await upgradeWith('backend.autoscaling.enabled=false', `backend.replicas=${replicasBefore}`);
});

test('kubectl top answers for the backend pods (metrics-server through the aggregation layer)', async () => {
  const top = await waitFor(
    'kubectl top pods to list a backend pod',
    async () => {
      const out = await kubectl('top', 'pods', '-l', BACKEND_SELECTOR, '--no-headers').catch(() => '');
      return out.trim() ? out : undefined;
    },
    180_000,
  );
  console.log(`# kubectl top pods:\n${top.replace(/^/gm, '#   ')}`);
  assert.match(top, new RegExp(`^${BACKEND}-\\S+\\s+\\d+m\\s+\\d+Mi`, 'm'));
  const node = await kubectl('top', 'node', '--no-headers');
  assert.match(node, /^\S+\s+\d+m\s+\d+%/m);
});

test(
  'the backend HPA adds replicas under load and removes them after it, with no failed request',
  { timeout: 900_000 },
  async () => {
    // Its metric first: the HPA reads the backend's CPU before any load (and sits at its minimum).
    await waitFor(
      `the HPA reading the backend's CPU at ${MIN} replica(s)`,
      async () => {
        const view = await hpaView();
        return view.cpu !== undefined && view.current === MIN && (await backendPods()).length === MIN;
      },
      300_000,
    );
    report('before the load', await hpaView());

    const heavy = load(LOAD_CLIENTS, LOAD_PAUSE_MS);
    const loadStarted = Date.now();
    let reached = MIN;
    const up = await waitFor(
      `the HPA wanting more than ${MIN} backend replica(s), all of them Ready`,
      async () => {
        const view = await hpaView();
        reached = Math.max(reached, view.desired);
        if (view.desired <= MIN) return undefined;
        const ready = (await backendPods()).filter((p) => !p.metadata.deletionTimestamp && isReady(p)).length;
        return ready >= view.desired ? { ...view, ready } : undefined;
      },
      600_000,
    );
    report('scale up: seconds from the load to the new pods Ready', Math.round((Date.now() - loadStarted) / 1000));
    report('scale up: HPA when its new pods were Ready', up);
    // Some more load, so that the new pods serve it too (and metrics-server has scraped them).
    await sleep(20_000);
    console.log(
      `# kubectl top pods under load:\n${(await kubectl('top', 'pods', '-l', BACKEND_SELECTOR)).replace(/^/gm, '#   ')}`,
    );
    const heavyStats = await heavy.stop();
    report('load: requests', {
      clients: LOAD_CLIENTS,
      sent: heavyStats.total,
      ok: heavyStats.ok,
      failed: heavyStats.failures.length,
      seconds: heavyStats.seconds,
    });

    // A light client while the HPA scales down: the pods it removes leave the Service under traffic.
    const light = load(1, 250);
    const loadStopped = Date.now();
    const down = await waitFor(
      `the HPA back at ${MIN} backend replica(s), the others gone`,
      async () => {
        const view = await hpaView();
        reached = Math.max(reached, view.desired);
        const pods = await backendPods();
        return view.desired === MIN && view.current === MIN && pods.length === MIN && pods.every(isReady)
          ? view
          : undefined;
      },
      600_000,
    );
    const lightStats = await light.stop();
    report(
      'scale down: seconds from the end of the load to the minimum',
      Math.round((Date.now() - loadStopped) / 1000),
    );
    report('scale down: HPA at the end', down);
    report('replicas reached', reached);
    report('scale down: requests', {
      sent: lightStats.total,
      ok: lightStats.ok,
      failed: lightStats.failures.length,
      seconds: lightStats.seconds,
    });

    assert.ok(reached > MIN, `the HPA never wanted more than ${MIN} replica(s)`);
    assert.ok(heavyStats.total >= 100, `the load sent only ${heavyStats.total} requests`);
    assert.deepEqual(
      heavyStats.failures.slice(0, 8),
      [],
      `${heavyStats.failures.length} of ${heavyStats.total} requests failed`,
    );
    assert.equal(heavyStats.ok, heavyStats.total);
    assert.ok(lightStats.total >= 10, `the light client sent only ${lightStats.total} requests`);
    assert.deepEqual(
      lightStats.failures.slice(0, 8),
      [],
      `${lightStats.failures.length} of ${lightStats.total} requests failed`,
    );
    assert.equal(lightStats.ok, lightStats.total);
  },
);
