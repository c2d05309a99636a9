// @ts-check
/**
 * Faults as users meet them, on the real-node test cluster (tools/test-cluster/suites/chart.sh installs the release first; this
 * suite runs after chart.test.mjs and takes the backend's replica count as it finds it):
 *
 * - A backend pod killed with `--grace-period=0 --force` (a crash: no preStop, no drain) while two clients run: one
 *   opening a new connection per request to the backend Service, and a browser-like keep-alive client on the
 *   frontend Service, whose /api proxy keeps its own connection pool to the backend (the victim is the pod that pool
 *   talks to). What each client saw (failed requests, time to recovery) is reported; both must recover, and every
 *   task whose creation was acknowledged must still be listed.
 * - Self-healing inside a running pod: the backend's process SIGKILLed on the node (a crash), then SIGSTOPped (up,
 *   but answering no probe): the kubelet restarts the container in the same pod (restartCount + 1, Ready again).
 * - PostgreSQL's pod killed the same way: the backend's /ready answers 503 while the database is gone and 200 once
 *   the new pod serves the same volume, with no backend container restarted or replaced; the data is still there.
 *
 * The node is this machine, so the test signals a container's process through its host PID (found by the container
 * id in /proc/<pid>/cgroup): root, like tools/test-cluster/suites/chart.sh.
 * Env (set by tools/test-cluster/suites/chart.sh): KUBECONFIG, KUBECTL, HELM, CLUSTER_NAMESPACE, CLUSTER_RELEASE, FRONTEND_IMAGE.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { setTimeout as pause } from 'node:timers/promises';
import { waitFor as poll } from '@todo-stack/testing';
import { env, inNamespace, isReady, request, waitFor } from './helpers.mjs';

const NS = env('CLUSTER_NAMESPACE');
const RELEASE = env('CLUSTER_RELEASE');
// The keep-alive client goes through the frontend: without its image this suite cannot test what users see.
env('FRONTEND_IMAGE');
const FULLNAME = `${RELEASE}-todo-stack`;
const BACKEND = `${FULLNAME}-backend`;
const POSTGRES_POD = `${FULLNAME}-postgresql-0`;
const BACKEND_SELECTOR = `app.kubernetes.io/instance=${RELEASE},app.kubernetes.io/component=backend`;
const { kubectl, kubectlJson } = inNamespace(NS);

/**
 * @typedef {{ periodSeconds: number; timeoutSeconds: number; failureThreshold: number;
 *   terminationGracePeriodSeconds?: number }} Probe
 * @typedef {{ name: string; restartCount: number; containerID?: string;
 *   lastState?: { terminated?: { exitCode: number; reason: string } } }} ContainerStatus
 * @typedef {{ metadata: { name: string; uid: string; deletionTimestamp?: string };
 *   spec: { terminationGracePeriodSeconds?: number; containers: { name: string; ports?: { name: string; containerPort: number }[];
 *     startupProbe?: Probe; livenessProbe?: Probe; readinessProbe?: Probe }[] };
 *   status: { podIP?: string; conditions?: { type: string; status: string }[]; containerStatuses?: ContainerStatus[] } }} Pod
 */

/** @returns {Promise<Pod[]>} the backend's pods that are not terminating */
async function backendPods() {
  const { items } = await kubectlJson('get', 'pods', '-l', BACKEND_SELECTOR);
  return /** @type {Pod[]} */ (items).filter((pod) => !pod.metadata.deletionTimestamp);
}

/** Waits until the backend Deployment has all its replicas Ready and no other pod; returns that count. */
async function backendSettled() {
  return waitFor('the backend Deployment settled', async () => {
    const { metadata, spec, status } = await kubectlJson('get', 'deployment', BACKEND);
    const pods = (await kubectlJson('get', 'pods', '-l', BACKEND_SELECTOR)).items;
    const settled =
      status.observedGeneration === metadata.generation &&
      status.readyReplicas === spec.replicas &&
      status.updatedReplicas === spec.replicas &&
      pods.length === spec.replicas;
    return settled ? /** @type {number} */ (spec.replicas) : undefined;
  });
}

/** @param {Pod} pod @param {string} name */
const container = (pod, name) => {
  const status = pod.status.containerStatuses?.find((c) => c.name === name);
  if (!status) throw new Error(`pod ${pod.metadata.name} has no container ${name}`);
  return status;
};

/** The backend's /ready on one pod (its own address, not the Service). @param {Pod} pod */
const readyUrl = (pod) => {
  const port = pod.spec.containers.find((c) => c.name === 'backend')?.ports?.find((p) => p.name === 'http');
  return `http://${pod.status.podIP}:${port?.containerPort}/ready`;
};

/**
 * The host PID of a container's init process (PID 1 in its namespace): the process whose cgroup path carries the
 * container id.
 * @param {string} containerID `containerd://<id>`
 */
async function hostPid(containerID) {
  const id = containerID.replace(/^[a-z]+:\/\//, '');
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!(await readFile(`/proc/${entry}/cgroup`, 'utf8')).includes(id)) continue;
      if (/^NSpid:.*\s1$/m.test(await readFile(`/proc/${entry}/status`, 'utf8'))) return Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  throw new Error(`no process of container ${id} on this node (run as root, on the node)`);
}

const figures = /** @type {Record<string, unknown>} */ ({});
const report = (/** @type {string} */ key, /** @type {unknown} */ value) => {
  figures[key] = value;
  console.log(`# ${key}: ${JSON.stringify(value)}`);
};

/** @type {string} */ let backendBase;
/** @type {string} */ let frontendBase;
/** @type {string} */ let origin;
/** @type {{ id: string; token: string }} */ let user;

/** @param {string} base @param {string} path @param {import('./helpers.mjs').RequestOptions} [options] */
const call = (base, path, options = {}) =>
  request(`${base}${path}`, {
    ...options,
    headers: { origin, authorization: `Bearer ${user.token}`, ...options.headers },
  });

/** Every task id of the user, page by page. @param {string} base */
async function listedIds(base) {
  const ids = new Set();
  for (let offset = 0; ; offset += 100) {
    const res = await call(base, `/api/${user.id}/tasks?limit=100&offset=${offset}`);
    assert.equal(res.status, 200, res.text);
    const { tasks, total } = res.json();
    for (const task of tasks) ids.add(task.id);
    if (!tasks.length || offset + 100 >= total) return ids;
  }
}

/**
 * A user's client, one request after another until stop(): lists the tasks, and every eighth request creates one.
 * Keeps each outcome with its time, the ids of the creations the server acknowledged, and the current run of
 * successes (the client has recovered once that run is long).
 * @param {string} name
 * @param {string} base
 * @param {http.Agent | false} agent
 */
function client(name, base, agent) {
  const state = {
    name,
    /** @type {{ at: number; error?: string }[]} */ outcomes: [],
    /** @type {string[]} */ acknowledged: [],
    streak: 0,
    stopped: false,
  };
  const loop = (async () => {
    for (let n = 0; !state.stopped; n++) {
      const at = Date.now();
      const create = n % 8 === 7;
      let error;
      try {
        const res = create
          ? await call(base, `/api/${user.id}/tasks`, { method: 'POST', body: { title: `${name} ${n}` }, agent })
          : await call(base, `/api/${user.id}/tasks?limit=1`, { agent });
        if (res.status === (create ? 201 : 200)) {
          if (create) state.acknowledged.push(res.json().id);
        } else error = `HTTP ${res.status} ${res.text.slice(0, 120)}`;
      } catch (err) {
        error = /** @type {Error} */ (err).message;
      }
      state.outcomes.push({ at, error });
      state.streak = error ? 0 : state.streak + 1;
      await pause(50); // a steady pace, ~15 requests a second
    }
  })();
  return {
    state,
    /** What this client saw, relative to `since` (the fault). */
    async stop(/** @type {number} */ since) {
      state.stopped = true;
      await loop;
      const failures = state.outcomes.filter((o) => o.error);
      const lastFailure = failures.at(-1);
      return {
        requests: state.outcomes.length,
        failed: failures.length,
        // From the fault to the first success after the last failure (0: nothing failed).
        recoveryMs: lastFailure
          ? (state.outcomes.find((o) => o.at > lastFailure.at && !o.error)?.at ?? NaN) - since
          : 0,
        failures: [...new Set(failures.map((f) => `${f.at - since} ms: ${f.error}`))].slice(0, 8),
      };
    },
  };
}

before(async () => {
  const service = async (/** @type {string} */ name) => {
    const { spec } = await kubectlJson('get', 'service', name);
    return `http://${spec.clusterIP}:${spec.ports[0].port}`;
  };
  backendBase = await service(BACKEND);
  frontendBase = await service(`${FULLNAME}-frontend`);
  origin = (await kubectlJson('get', 'configmap', BACKEND)).data.BETTER_AUTH_URL;
  const email = `faults-${randomBytes(4).toString('hex')}@example.test`;
  const signUp = await request(`${backendBase}/api/auth/sign-up/email`, {
    method: 'POST',
    headers: { origin },
    body: { email, password: 'correct-horse-battery', name: 'Faults' },
  });
  assert.equal(signUp.status, 200, signUp.text);
  user = { id: signUp.json().user.id, token: signUp.json().token };
});

after(() => console.log(`# figures: ${JSON.stringify(figures)}`));

test(
  'a backend pod killed with --grace-period=0 --force under a keep-alive client (through the frontend) and a new-connection client: both recover, no acknowledged write lost',
  { timeout: 300_000 },
  async () => {
    const replicas = await backendSettled();
    // One socket to the frontend, kept alive: requests reach it one at a time, so its proxy reuses one pooled
    // connection to the backend, as a browser tab's requests do.
    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const browser = client('keep-alive via frontend', frontendBase, keepAlive);
    const direct = client('new connection per request', backendBase, false);
    try {
      await waitFor('both clients running', async () => browser.state.streak >= 10 && direct.state.streak >= 10);
      // The victim: the pod behind the frontend's pooled connection, the one that logs a request sent on it.
      const marker = `faults-marker-${randomBytes(6).toString('hex')}`;
      const res = await call(frontendBase, `/api/${user.id}/tasks?limit=1`, {
        agent: keepAlive,
        headers: { 'x-request-id': marker },
      });
      assert.equal(res.status, 200, res.text);
      const victim = await waitFor('the backend pod that served the frontend', async () => {
        for (const pod of await backendPods())
          if ((await kubectl('logs', pod.metadata.name, '--since=5m')).includes(marker)) return pod;
      });
      const killedAt = Date.now();
      await kubectl('delete', 'pod', victim.metadata.name, '--grace-period=0', '--force');
      await waitFor('a replacement backend pod Ready', async () => {
        const pods = await backendPods();
        return (
          pods.length === replicas && pods.every(isReady) && !pods.some((p) => p.metadata.uid === victim.metadata.uid)
        );
      });
      report('force-killed backend pod → replacement Ready (ms)', Date.now() - killedAt);
      // Recovered: a run of successes after the replacement is Ready, each client on its own connections.
      await waitFor(
        'both clients answered again',
        async () => browser.state.streak >= 40 && direct.state.streak >= 40,
        120_000,
      );
      const seen = { browser: await browser.stop(killedAt), direct: await direct.stop(killedAt) };
      report('force kill: keep-alive client through the frontend', seen.browser);
      report('force kill: new connection per request to the backend', seen.direct);

      const listed = await listedIds(backendBase);
      const lost = [...browser.state.acknowledged, ...direct.state.acknowledged].filter((id) => !listed.has(id));
      report('force kill: acknowledged creations / lost', [
        browser.state.acknowledged.length + direct.state.acknowledged.length,
        lost.length,
      ]);
      assert.deepEqual(lost, [], 'tasks acknowledged with 201 are missing after the crash');
      assert.ok(seen.browser.requests >= 40 && seen.direct.requests >= 40, 'the clients ran');
    } finally {
      browser.state.stopped = direct.state.stopped = true;
      keepAlive.destroy();
    }
  },
);

/**
 * Signals the backend container of one pod through its host PID and waits for the kubelet to restart it in place.
 * @param {NodeJS.Signals} signal
 * @param {number} index which backend pod (another one per test, so no restart back-off carries over)
 */
async function restartedInPlace(signal, index) {
  await backendSettled();
  const pods = await backendPods();
  const pod = pods[index % pods.length];
  const before = container(pod, 'backend');
  assert.ok(before.containerID, `no container id for ${pod.metadata.name}`);
  const pid = await hostPid(before.containerID);
  const signalledAt = Date.now();
  process.kill(pid, signal);
  const after = await waitFor(
    `the kubelet to restart ${pod.metadata.name}'s backend container (${signal})`,
    async () => {
      const p = /** @type {Pod} */ (await kubectlJson('get', 'pod', pod.metadata.name));
      assert.equal(p.metadata.uid, pod.metadata.uid, 'the pod was replaced, not its container restarted');
      const c = container(p, 'backend');
      return c.restartCount > before.restartCount && isReady(p) ? { pod: p, status: c } : undefined;
    },
    180_000,
  );
  const readyMs = Date.now() - signalledAt;
  assert.equal((await request(readyUrl(after.pod))).status, 200, 'the restarted backend serves /ready');
  return { pod, before, after: after.status, signalledAt, readyMs };
}

test(
  "the backend's process killed inside a running pod: the kubelet restarts the container, Ready again",
  { timeout: 300_000 },
  async () => {
    const { pod, before, after, readyMs } = await restartedInPlace('SIGKILL', 0);
    report('backend process SIGKILLed → container restarted and Ready (ms)', readyMs);
    assert.equal(after.restartCount, before.restartCount + 1);
    assert.equal(after.lastState?.terminated?.exitCode, 137, JSON.stringify(after.lastState));
    assert.notEqual(after.containerID, before.containerID, `${pod.metadata.name}: same container`);
  },
);

/** Time for the kubelet to restart the container and for the new process to pass its startup and readiness probes. */
const RESTART_ALLOWANCE_SECONDS = 10;

/**
 * The longest a frozen (SIGSTOPped) backend may take to be restarted and Ready again, from its pod's own probes:
 * - detection: `failureThreshold` liveness probes fail, each `periodSeconds` apart and each only after its
 *   `timeoutSeconds` (the first may start up to a period after the freeze): period × threshold + timeout;
 * - the stop: a stopped process ignores SIGTERM, so the kubelet waits out the grace period before SIGKILL. That must be
 *   the probe-level `terminationGracePeriodSeconds`, not the pod's (45 s, meant for draining): with the pod's, the
 *   restart took 79 s (README), which this bound refuses;
 * - the new container: one startup-probe period and one readiness-probe period, plus RESTART_ALLOWANCE_SECONDS.
 * With the chart's defaults: 10 × 3 + 3 + 5 + 2 + 5 + 10 = 55 s.
 * @param {Pod} pod
 */
function frozenRestartBound(pod) {
  const spec = pod.spec.containers.find((c) => c.name === 'backend');
  const { livenessProbe: live, startupProbe: startup, readinessProbe: ready } = spec ?? {};
  assert.ok(live && ready, `the backend container of ${pod.metadata.name} has no liveness or readiness probe`);
  const podGrace = pod.spec.terminationGracePeriodSeconds ?? 30;
  assert.ok(
    live.terminationGracePeriodSeconds !== undefined && live.terminationGracePeriodSeconds < podGrace,
    `the backend's liveness probe must set its own terminationGracePeriodSeconds, shorter than the pod's ${podGrace} s ` +
      `(a frozen process ignores SIGTERM, so a liveness restart would otherwise wait the whole drain grace period)`,
  );
  const parts = {
    detection: live.periodSeconds * live.failureThreshold + live.timeoutSeconds,
    stop: live.terminationGracePeriodSeconds,
    startup: startup?.periodSeconds ?? 0,
    readiness: ready.periodSeconds,
    allowance: RESTART_ALLOWANCE_SECONDS,
  };
  const seconds = Object.values(parts).reduce((sum, part) => sum + part, 0);
  const explained = Object.entries(parts)
    .map(([name, value]) => `${name} ${value} s`)
    .join(' + ');
  return { boundMs: seconds * 1000, explained: `${explained} = ${seconds} s` };
}

test(
  "the backend's process frozen (SIGSTOP: up, answering no probe): the liveness probe fails and the kubelet restarts it",
  { timeout: 300_000 },
  async () => {
    const { pod, before, after, signalledAt, readyMs } = await restartedInPlace('SIGSTOP', 1);
    report('backend process SIGSTOPped → liveness restart and Ready (ms)', readyMs);
    assert.equal(after.restartCount, before.restartCount + 1);
    const { boundMs, explained } = frozenRestartBound(pod);
    assert.ok(
      readyMs <= boundMs,
      `a frozen backend took ${readyMs} ms to be restarted and Ready, over the ${boundMs} ms its probes allow (${explained})`,
    );
    const { items } = await kubectlJson('get', 'events', '--field-selector', `involvedObject.uid=${pod.metadata.uid}`);
    const events = items
      .filter((/** @type {any} */ e) => Date.parse(e.lastTimestamp ?? e.eventTime) >= signalledAt - 1000)
      .map((/** @type {any} */ e) => e.message)
      .join('\n');
    assert.match(events, /Liveness probe failed/, `no liveness failure recorded for ${pod.metadata.name}`);
  },
);

test(
  "PostgreSQL's pod killed: the backend's /ready goes 503 then 200 without a backend restart, and the data is kept",
  { timeout: 300_000 },
  async () => {
    await backendSettled();
    const title = `kept across a database crash ${randomBytes(3).toString('hex')}`;
    const created = await call(backendBase, `/api/${user.id}/tasks`, { method: 'POST', body: { title } });
    assert.equal(created.status, 201, created.text);
    const pods = await backendPods();
    const restarts = Object.fromEntries(pods.map((p) => [p.metadata.uid, container(p, 'backend').restartCount]));
    const [watched] = pods;
    const ready = readyUrl(watched);
    assert.equal((await request(ready)).status, 200);

    const database = await kubectlJson('get', 'pod', POSTGRES_POD);
    const killedAt = Date.now();
    await kubectl('delete', 'pod', POSTGRES_POD, '--grace-period=0', '--force');
    // Polled often: the database may be back within seconds.
    const down = await poll(
      async () => {
        const res = await request(ready);
        return res.status === 503 ? res : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 200, what: '/ready to answer 503' },
    );
    assert.deepEqual(down.json(), { status: 'unavailable', database: 'down' });
    report('postgresql pod killed → backend /ready 503 (ms)', Date.now() - killedAt);
    await waitFor('/ready to answer 200 again', async () => (await request(ready)).status === 200);
    report('postgresql pod killed → backend /ready 200 again (ms)', Date.now() - killedAt);

    const db = await kubectlJson('get', 'pod', POSTGRES_POD);
    assert.notEqual(db.metadata.uid, database.metadata.uid, 'the PostgreSQL pod was not replaced');
    assert.equal(
      db.spec.volumes.find((/** @type {any} */ v) => v.name === 'data').persistentVolumeClaim.claimName,
      `data-${POSTGRES_POD}`,
      'the new pod mounts the same claim',
    );
    const after = await backendPods();
    assert.deepEqual(
      Object.fromEntries(after.map((p) => [p.metadata.uid, container(p, 'backend').restartCount])),
      restarts,
      'a backend container was restarted or replaced while the database was away',
    );
    const list = await call(backendBase, `/api/${user.id}/tasks?limit=100`);
    assert.equal(list.status, 200, list.text);
    assert.ok(
      list.json().tasks.some((/** @type {{ title: string }} */ t) => t.title === title),
      `the task is gone after the PostgreSQL pod came back: ${list.text}`,
    );
  },
);
