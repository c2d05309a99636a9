// @ts-check
/**
 * The chart's HTTPRoute served by a real Gateway API controller: the front door of Minikube (deploy/front-door/
 * traefik.yaml, after the Gateway API CRDs; tools/test-cluster/up.sh --ingress) serves the release's Gateway
 * (gateway.create=true, GatewayClass `traefik`) on the node's port 80. tools/test-cluster/suites/chart/node.sh installs the release
 * with both front doors, the route on its own host name (httpRoute.hostnames[0]), so each is tested on its own.
 *
 * What only the route can show: `/api` goes straight to the backend (the frontend's `/api` forwarder would give the
 * same status and body, so the test also compares a header only the backend's own answer carries), and the backend
 * sees each client's own address through the Gateway (two clients on two addresses of this machine: one throttled,
 * the other not; a client-sent X-Forwarded-For changes nothing).
 *
 * Env (set by tools/test-cluster/suites/chart.sh): KUBECONFIG, KUBECTL, CLUSTER_NAMESPACE, CLUSTER_RELEASE, FRONTEND_IMAGE.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { before, test } from 'node:test';
import { env, inNamespace, nodeAddress, request, signUpCreateAndList, waitFor } from './helpers.mjs';

const NS = env('CLUSTER_NAMESPACE');
const RELEASE = env('CLUSTER_RELEASE');
const FULLNAME = `${RELEASE}-todo-stack`;
const { kubectlJson } = inNamespace(NS);

/** @type {string} */
let node;
/** @type {string} */
let host;
/** @type {string} */
let origin;

/** A request to http://<route host><path>, sent to the node's port 80 (the Gateway's listener, Traefik's hostPort). */
const viaGateway = (/** @type {string} */ path, /** @type {import('./helpers.mjs').RequestOptions} */ options = {}) =>
  request(`http://${host}${path}`, { connectTo: node, ...options, headers: { origin, ...options.headers } });

/** A request to a Service of the release straight through its ClusterIP. */
async function viaService(/** @type {string} */ service, /** @type {string} */ path) {
  const { spec } = await kubectlJson('get', 'service', service);
  return request(`http://${spec.clusterIP}:${spec.ports[0].port}${path}`, { headers: { origin } });
}

/** The `status` of a condition of `type` in a list of conditions. */
const condition = (/** @type {any[] | undefined} */ conditions, /** @type {string} */ type) =>
  conditions?.find((c) => c.type === type)?.status;

before(async () => {
  node = await nodeAddress();
  const route = await kubectlJson('get', 'httproute', FULLNAME);
  host = route.spec.hostnames[0];
  origin = (await kubectlJson('get', 'configmap', `${FULLNAME}-backend`)).data.BETTER_AUTH_URL;
  console.log(
    `# HTTPRoute ${FULLNAME}: host ${host}, parents ${JSON.stringify(route.spec.parentRefs)}, via ${node}:80`,
  );
});

test('Traefik accepts the GatewayClass, programs the release’s Gateway on the node address and accepts the route', async () => {
  const gatewayClass = await inNamespace('').kubectlJson('get', 'gatewayclass', 'traefik');
  assert.equal(gatewayClass.spec.controllerName, 'traefik.io/gateway-controller');
  assert.equal(condition(gatewayClass.status?.conditions, 'Accepted'), 'True');
  const gateway = await waitFor(
    'the Gateway to be Programmed with the node address',
    async () => {
      const g = await kubectlJson('get', 'gateway', FULLNAME);
      const programmed = condition(g.status?.conditions, 'Programmed') === 'True';
      return programmed && g.status.addresses?.some((/** @type {any} */ a) => a.value === node) ? g : undefined;
    },
    60_000,
  );
  assert.equal(gateway.spec.gatewayClassName, 'traefik');
  const route = await waitFor(
    'the HTTPRoute to be Accepted with its backends resolved',
    async () => {
      const r = await kubectlJson('get', 'httproute', FULLNAME);
      const parent = r.status?.parents?.find((/** @type {any} */ p) => p.parentRef.name === FULLNAME);
      return condition(parent?.conditions, 'Accepted') === 'True' &&
        condition(parent?.conditions, 'ResolvedRefs') === 'True'
        ? r
        : undefined;
    },
    60_000,
  );
  assert.equal(route.status.parents[0].controllerName, 'traefik.io/gateway-controller');
});

test('sign up, create a task and list it through http://<route host>/api', async () => {
  await waitFor('the backend through the Gateway', async () => (await viaGateway('/api/no-such-route')).json(), 60_000);
  await signUpCreateAndList(viaGateway, 'through the Gateway');
});

test('/api is the backend’s own answer, not the frontend forwarding to it', async () => {
  const path = `/api/no-such-route-${randomBytes(3).toString('hex')}`;
  const [gateway, backend, frontend] = await Promise.all([
    viaGateway(path),
    viaService(`${FULLNAME}-backend`, path),
    viaService(`${FULLNAME}-frontend`, path),
  ]);
  // Status and body cannot tell the two paths apart: the frontend's forwarder passes both through.
  assert.equal(gateway.status, backend.status);
  assert.deepEqual(gateway.json(), backend.json());
  assert.deepEqual(frontend.json(), backend.json());
  // Content-Length can: Fastify sends the length of its JSON answer, which Traefik keeps; the forwarder streams the
  // body through Next.js (chunked, its length dropped). The control first: this header does tell the paths apart.
  assert.equal(frontend.headers['content-length'], undefined, 'control: the forwarder’s answer has no Content-Length');
  assert.equal(frontend.headers['transfer-encoding'], 'chunked');
  assert.equal(backend.headers['content-length'], String(Buffer.byteLength(backend.text)));
  assert.equal(gateway.headers['content-length'], backend.headers['content-length']);
  assert.equal(gateway.headers['transfer-encoding'], undefined);
});

test('/ is the frontend: its sign-in page', async () => {
  env('FRONTEND_IMAGE');
  await waitFor('the frontend through the Gateway', async () => (await viaGateway('/sign-in')).status === 200, 60_000);
  const page = await viaGateway('/sign-in');
  assert.match(String(page.headers['content-type']), /^text\/html/);
  assert.match(page.text, /<title>[^<]*Todo Stack<\/title>/);
});

/**
 * Two addresses of this machine the node's port 80 is reached from: the node's own address (what a connection to it
 * comes from by default) and the pod bridge's (tcbr0, lib.sh CNI_BRIDGE), else any other local IPv4 address. The
 * hostPort's DNAT keeps the source address (CNI portmap masquerades only localhost and a pod reaching itself).
 */
function twoClientAddresses() {
  const ipv4 = (/** @type {import('node:os').NetworkInterfaceInfo[] | undefined} */ list = []) =>
    list.filter((a) => a.family === 'IPv4' && !a.internal).map((a) => a.address);
  const interfaces = networkInterfaces();
  const local = Object.values(interfaces).flatMap(ipv4);
  assert.ok(local.includes(node), `the node address ${node} is not an address of this machine (${local.join(', ')})`);
  const other = [...ipv4(interfaces['tcbr0']), ...local].find((address) => address !== node);
  assert.ok(other, `this machine has no IPv4 address besides ${node} to send from`);
  return [node, other];
}

test('the backend keys its limits on the real client address: one client throttled, the other not, X-Forwarded-For ignored', async () => {
  const [a, b] = twoClientAddresses();
  const email = `throttle-${randomBytes(4).toString('hex')}@example.test`;
  const signIn = (/** @type {string} */ from, /** @type {string} */ forwardedFor) =>
    viaGateway('/api/auth/sign-in/email', {
      method: 'POST',
      localAddress: from,
      headers: { 'x-forwarded-for': forwardedFor },
      body: { email, password: 'not-the-password' },
    });
  // SIGN_IN_RATE_LIMIT (5 a minute per client and account). Each attempt of client A claims another address in
  // X-Forwarded-For: were that header believed, every attempt would count for a new client and none be refused.
  const statuses = [];
  for (let attempt = 1; attempt <= 6; attempt += 1) statuses.push((await signIn(a, `198.51.100.${attempt}`)).status);
  console.log(`# client ${a}: ${statuses.join(' ')}`);
  assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
  // Client B, same account, claiming to be A: B's own budget, untouched.
  const other = await signIn(b, a);
  console.log(`# client ${b} (X-Forwarded-For: ${a}): ${other.status}`);
  assert.equal(other.status, 401, other.text);
  // And A stays throttled whoever it claims to be.
  assert.equal((await signIn(a, b)).status, 429);
  // Traefik saw the two addresses (its access log's first field is the client address).
  const log = await inNamespace('traefik').kubectl('logs', 'deployment/traefik', '--since=5m');
  const lines = log.split('\n').filter((line) => line.includes('POST /api/auth/sign-in/email'));
  assert.ok(
    lines.some((line) => line.startsWith(`${a} `) && / 429 /.test(line)),
    `no 429 for ${a} in:\n${lines.join('\n')}`,
  );
  assert.ok(
    lines.some((line) => line.startsWith(`${b} `) && / 401 /.test(line)),
    `no 401 for ${b} in:\n${lines.join('\n')}`,
  );
});
