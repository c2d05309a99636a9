// @ts-check
/**
 * The chart's NetworkPolicies (networkPolicy.enabled=true), enforced by kube-router on the real node
 * (tools/test-cluster/up.sh --network-policies). Connections are opened from inside pods, to the Services' names:
 * - probe pods (busybox `nc`): one in the release's namespace without any of the release's labels, one in the
 *   front door's namespace (networkPolicy.gatewayNamespace, where Traefik serves the release's Gateway; the same
 *   namespace as networkPolicy.ingressControllerNamespace on this cluster);
 * - the release's own backend and frontend pods (`node -e`, their images have no nc).
 * The last test is the control: without the policies, the denied paths open, so a denial above is the policy's doing
 * (not a broken network); the policies are then put back and deny again.
 *
 * Env (set by tools/test-cluster/suites/chart.sh): KUBECONFIG, KUBECTL, CLUSTER_NAMESPACE, CLUSTER_RELEASE, PROBE_IMAGE,
 * FRONTEND_IMAGE (required: the frontend's tests fail without it). tools/minikube-node/test/minikube.test.mjs runs this
 * file as it is against the Minikube profile (kube-router as its CNI).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { env, inNamespace, isReady, probePod, run, waitFor } from './helpers.mjs';

const NS = env('CLUSTER_NAMESPACE');
const RELEASE = env('CLUSTER_RELEASE');
// The chart's todo-stack.fullname: the release's name when it holds the chart's (Minikube's `todo-stack`), else both.
const FULLNAME = RELEASE.includes('todo-stack') ? RELEASE : `${RELEASE}-todo-stack`;
const cluster = inNamespace(NS);
const PROBE = 'netpol-probe';

/** @type {string} */
let gatewayNamespace;
/** @type {{ host: string; port: number }} */
let postgresql;
/** @type {{ host: string; port: number }} */
let backend;
/** @type {{ host: string; port: number }} */
let frontend;

/** `host:port` of a Service of the release, by its cluster DNS name. */
async function serviceAddress(/** @type {string} */ name) {
  const { spec } = await cluster.kubectlJson('get', 'service', name);
  return { host: `${name}.${NS}.svc.cluster.local`, port: spec.ports[0].port };
}

// How a refused or timed-out connection reads on stderr: busybox nc's own words, and those of the Node.js probe below.
const DENIED =
  /^(nc: can't connect to remote host \(.*\): Connection refused|nc: timed out|probe: (ECONNREFUSED|timed out))$/m;

/**
 * Whether a pod opens a TCP connection: true once connected, false when the connection is refused or times out
 * (kube-router rejects a denied packet). Anything else throws (the exec failed, the probe tool is missing or rejects its
 * arguments, a name does not resolve): a broken probe must never pass for a denial.
 * @param {string} namespace
 * @param {string} pod
 * @param {string} container
 * @param {string[]} command exits 0 once connected; on a refusal or a timeout, fails with a DENIED line on stderr
 */
async function connectFrom(namespace, pod, container, command) {
  try {
    await inNamespace(namespace).kubectl('exec', pod, '-c', container, '--', ...command);
    return true;
  } catch (error) {
    const stderr = String(/** @type {{ stderr?: string }} */ (error).stderr ?? '');
    if (DENIED.test(stderr)) return false;
    throw new Error(`the connection probe in ${namespace}/${pod} neither connected nor was refused: ${stderr.trim()}`, {
      cause: error,
    });
  }
}

/**
 * Whether the probe pod of `namespace` opens a TCP connection to `to` within 3 s. Busybox nc has no `-z`: `-e true`
 * runs `true` on the connected socket, so nc exits 0 as soon as it is connected, whatever the server then does.
 */
const probeConnects = (/** @type {string} */ namespace, /** @type {{ host: string; port: number }} */ to) =>
  connectFrom(namespace, PROBE, 'probe', ['nc', '-w', '3', to.host, String(to.port), '-e', 'true']);

/** Whether a pod of the release's `component` opens a TCP connection to `to` within 3 s (with its own Node.js). */
async function componentConnects(/** @type {string} */ component, /** @type {{ host: string; port: number }} */ to) {
  const { items } = await cluster.kubectlJson(
    'get',
    'pods',
    '-l',
    `app.kubernetes.io/instance=${RELEASE},app.kubernetes.io/component=${component}`,
  );
  const pod = items.find((/** @type {any} */ p) => !p.metadata.deletionTimestamp && isReady(p));
  assert.ok(pod, `no Ready ${component} pod`);
  const script = `const s = require('node:net').connect(${to.port}, ${JSON.stringify(to.host)});
const fail = (why) => { console.error('probe: ' + why); process.exit(1); };
s.setTimeout(3000, () => fail('timed out')); s.on('connect', () => process.exit(0)); s.on('error', (e) => fail(e.code || e.message));`;
  return connectFrom(NS, pod.metadata.name, component, ['node', '-e', script]);
}

before(async () => {
  const policies = (await cluster.kubectlJson('get', 'networkpolicies')).items.map(
    (/** @type {any} */ p) => p.metadata.name,
  );
  assert.ok(
    policies.includes(`${FULLNAME}-backend`) && policies.includes(`${FULLNAME}-postgresql`),
    `the release has no NetworkPolicies (${policies.join(', ') || 'none'}): install it with networkPolicy.enabled=true`,
  );
  const values = JSON.parse(await cluster.helm('get', 'values', RELEASE, '--all', '-o', 'json'));
  assert.ok(values.httpRoute.enabled, 'the release has no HTTPRoute: install it with httpRoute.enabled=true');
  gatewayNamespace = values.networkPolicy.gatewayNamespace;
  postgresql = await serviceAddress(`${FULLNAME}-postgresql`);
  backend = await serviceAddress(`${FULLNAME}-backend`);
  frontend = await serviceAddress(`${FULLNAME}-frontend`);
  // The front door's namespace exists on this cluster (up.sh --ingress); PodSecurity is not enforced there.
  await Promise.all([probePod(NS, PROBE), probePod(gatewayNamespace, PROBE)]);
});

after(async () => {
  for (const namespace of [NS, gatewayNamespace].filter(Boolean))
    await inNamespace(namespace).kubectl('delete', 'pod', PROBE, '--ignore-not-found', '--wait=false');
});

test('DNS resolves from a pod no policy allows anything', async () => {
  const { stdout } = await run(env('KUBECTL'), ['-n', NS, 'exec', PROBE, '--', 'nslookup', postgresql.host]);
  const { spec } = await cluster.kubectlJson('get', 'service', `${FULLNAME}-postgresql`);
  assert.ok(stdout.includes(spec.clusterIP), `nslookup ${postgresql.host} did not give ${spec.clusterIP}:\n${stdout}`);
});

test('a pod without the backend’s labels cannot open PostgreSQL:5432', async () => {
  assert.equal(await probeConnects(NS, postgresql), false);
});

test('a pod without the frontend’s labels cannot open the backend port', async () => {
  assert.equal(await probeConnects(NS, backend), false);
});

// An allowed path may take the engine a moment for a pod it has just seen (it adds the pod's address to the policy's
// address sets asynchronously): wait for it, within a bound that a missing rule never meets.
const opens = (/** @type {string} */ what, /** @type {() => Promise<boolean>} */ connects) =>
  waitFor(what, connects, 30_000);

test('the backend reaches PostgreSQL', async () => {
  await opens('the backend to reach PostgreSQL', () => componentConnects('backend', postgresql));
});

test('the frontend reaches the backend', async () => {
  env('FRONTEND_IMAGE');
  await opens('the frontend to reach the backend', () => componentConnects('frontend', backend));
});

test('the Gateway’s namespace reaches the backend and frontend ports, not PostgreSQL', async () => {
  await opens('the Gateway namespace to reach the backend', () => probeConnects(gatewayNamespace, backend));
  await opens('the Gateway namespace to reach the frontend', () => probeConnects(gatewayNamespace, frontend));
  assert.equal(await probeConnects(gatewayNamespace, postgresql), false);
});

test(
  'control: without the policies the denied paths open; put back, they are denied again',
  { timeout: 240_000 },
  async () => {
    const names = [`${FULLNAME}-postgresql`, `${FULLNAME}-backend`];
    const saved = [];
    for (const name of names) {
      const policy = await cluster.kubectlJson('get', 'networkpolicy', name);
      const { annotations, labels } = policy.metadata;
      saved.push({ ...policy, metadata: { name, namespace: NS, annotations, labels }, status: undefined });
    }
    await cluster.kubectl('delete', 'networkpolicy', ...names);
    try {
      await waitFor('PostgreSQL:5432 to open to the unlabelled pod', () => probeConnects(NS, postgresql), 60_000);
      await waitFor('the backend port to open to the unlabelled pod', () => probeConnects(NS, backend), 60_000);
    } finally {
      // The same objects as Helm made them (labels and annotations kept), so the release is as it was.
      await cluster.apply(saved, 'create');
    }
    await waitFor('PostgreSQL:5432 to be denied again', async () => !(await probeConnects(NS, postgresql)), 60_000);
    await waitFor('the backend port to be denied again', async () => !(await probeConnects(NS, backend)), 60_000);
  },
);
