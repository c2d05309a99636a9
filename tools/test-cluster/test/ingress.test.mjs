// @ts-check
/**
 * The chart's Ingress served by a real ingress controller: Traefik (deploy/front-door/traefik.yaml, tools/test-cluster/
 * up.sh --ingress) serves its IngressClass `traefik`, the cluster's default, which the API server gives the chart's
 * Ingress (ingress.className is empty by default), on the node's port 80.
 * Requests go to the node's address with `Host: <ingress.hostname>` (what `curl --resolve todo.local:80:<node ip>`
 * does): `/api/...` must reach the backend and `/` the frontend, exactly as the Ingress declares.
 *
 * Env (set by tools/test-cluster/suites/chart.sh): KUBECONFIG, KUBECTL, CLUSTER_NAMESPACE, CLUSTER_RELEASE, FRONTEND_IMAGE (required:
 * the frontend's tests fail without it).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
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

/** A request to http://<ingress host><path>, sent to the node's port 80. */
const viaIngress = (/** @type {string} */ path, /** @type {import('./helpers.mjs').RequestOptions} */ options = {}) =>
  request(`http://${host}${path}`, { connectTo: node, ...options, headers: { origin, ...options.headers } });

/** A request to a Service of the release straight through its ClusterIP (no Ingress). */
async function viaService(/** @type {string} */ service, /** @type {string} */ path) {
  const { spec } = await kubectlJson('get', 'service', service);
  return request(`http://${spec.clusterIP}:${spec.ports[0].port}${path}`, { headers: { origin } });
}

before(async () => {
  node = await nodeAddress();
  const ingress = await kubectlJson('get', 'ingress', FULLNAME);
  host = ingress.spec.rules[0].host;
  origin = (await kubectlJson('get', 'configmap', `${FULLNAME}-backend`)).data.BETTER_AUTH_URL;
  console.log(`# Ingress ${FULLNAME}: class ${ingress.spec.ingressClassName}, host ${host}, via ${node}:80`);
});

test('the Ingress gets the default class traefik; Traefik admits it and publishes the node address in its status', async () => {
  const ingress = await waitFor(
    'the Ingress status to carry the node address',
    async () => {
      const i = await kubectlJson('get', 'ingress', FULLNAME);
      return i.status?.loadBalancer?.ingress?.[0]?.ip === node ? i : undefined;
    },
    60_000,
  );
  assert.equal(ingress.spec.ingressClassName, 'traefik');
  const ingressClass = await inNamespace('').kubectlJson('get', 'ingressclass', ingress.spec.ingressClassName);
  assert.equal(ingressClass.spec.controller, 'traefik.io/ingress-controller');
});

test('sign up, create a task and list it through http://<host>/api', async () => {
  // The controller may still be loading the routes the first seconds: wait for the backend to answer there.
  await waitFor('the backend through the Ingress', async () => (await viaIngress('/api/no-such-route')).json(), 60_000);
  await signUpCreateAndList(viaIngress, 'through the ingress');
});

test('/api/* is the backend and nothing else: an unknown API path gets the backend’s own answer', async () => {
  const path = `/api/no-such-route-${randomBytes(3).toString('hex')}`;
  const [ingress, backend] = await Promise.all([viaIngress(path), viaService(`${FULLNAME}-backend`, path)]);
  assert.equal(ingress.status, backend.status);
  assert.equal(ingress.headers['content-type'], backend.headers['content-type']);
  assert.deepEqual(ingress.json(), backend.json());
});

/**
 * GET `path`, following the app's redirects (`/` → `/tasks` → `/sign-in` without a session) on the same route.
 * @param {(path: string) => Promise<import('./helpers.mjs').Response>} get
 */
async function followRedirects(get, path = '/') {
  const visited = [path];
  let res = await get(path);
  while (res.status >= 300 && res.status < 400 && visited.length < 5) {
    const next = new URL(String(res.headers.location), 'http://app.invalid');
    visited.push(next.pathname);
    res = await get(next.pathname + next.search);
  }
  return { res, visited };
}

test('/ is the frontend: the same pages and redirects as its Service', async () => {
  env('FRONTEND_IMAGE');
  const ingress = await followRedirects((path) => viaIngress(path));
  const direct = await followRedirects((path) => viaService(`${FULLNAME}-frontend`, path));
  console.log(`# / through the Ingress: ${ingress.visited.join(' → ')} (HTTP ${ingress.res.status})`);
  assert.deepEqual(ingress.visited, direct.visited);
  assert.equal(ingress.res.status, 200, ingress.res.text.slice(0, 300));
  assert.match(String(ingress.res.headers['content-type']), /^text\/html/);
  assert.match(ingress.res.text, /<title>[^<]*Todo Stack<\/title>/);
});

test('another host name is not routed to the app', async () => {
  const res = await request('http://not-the-app.local/', { connectTo: node });
  assert.equal(res.status, 404);
});
