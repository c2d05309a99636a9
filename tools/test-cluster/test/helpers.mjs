// @ts-check
/**
 * What the node:test suites of the real-node test cluster share: the environment tools/test-cluster/suites/chart.sh sets, kubectl
 * and helm in a namespace, waiting on a condition, one HTTP(S) request, a user's first requests through a front door,
 * and throwaway probe pods.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { request as send, waitFor as poll } from '@todo-stack/testing';

export const run = promisify(execFile);
export const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A variable tools/test-cluster/suites/chart.sh sets; a clear error when the suite runs without it. */
export const env = (/** @type {string} */ name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this suite through tools/test-cluster/suites/chart.sh`);
  return value;
};

/** kubectl and helm bound to one namespace (`kubectl(...)` without `-n` when `namespace` is empty). */
export function inNamespace(/** @type {string} */ namespace) {
  const ns = namespace ? ['-n', namespace] : [];
  /** @param {string[]} args */
  const kubectl = async (...args) => (await run(env('KUBECTL'), [...ns, ...args], { maxBuffer: 64 << 20 })).stdout;
  /** @param {string[]} args */
  const kubectlJson = async (...args) => JSON.parse(await kubectl(...args, '-o', 'json'));
  /** `kubectl apply` (or `create`) of objects given as JavaScript values. */
  const apply = async (/** @type {object[]} */ objects, verb = 'apply') => {
    const child = execFile(env('KUBECTL'), [...ns, verb, '-f', '-']);
    child.stdin?.end(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
    await new Promise((resolve, reject) => {
      let stderr = '';
      child.stderr?.on('data', (chunk) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(code) : reject(new Error(`kubectl ${verb}: ${stderr}`))));
    });
  };
  /** @param {string[]} args */
  const helm = async (...args) => (await run(env('HELM'), [...ns, ...args], { maxBuffer: 16 << 20 })).stdout;
  return { kubectl, kubectlJson, apply, helm };
}

/**
 * Polls `check` once a second until it returns a truthy value (@todo-stack/testing's waitFor, with the argument
 * order these suites use).
 * @template T
 * @param {string} what
 * @param {() => Promise<T>} check
 * @param {number} timeoutMs
 * @returns {Promise<T>}
 */
export const waitFor = (what, check, timeoutMs = 180_000) => poll(check, { timeoutMs, intervalMs: 1000, what });

/** @param {{ status: { conditions?: { type: string; status: string }[] } }} pod */
export const isReady = (pod) => pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/**
 * @typedef {import('../../containers/test/docker.mjs').Response} Response
 * @typedef {import('../../containers/test/docker.mjs').RequestOptions} RequestOptions
 */
/**
 * One HTTP(S) request (@todo-stack/testing's, with a longer default timeout): a new connection per
 * request unless `agent` is given; `connectTo`/`ca` as `curl --resolve`/`--cacert`.
 * @param {string} url
 * @param {RequestOptions} [options]
 */
export const request = (url, options = {}) => send(url, { timeoutMs: 10_000, ...options });

/**
 * A new user's first minutes through a front door: sign up, create a task titled `title`, list it back. `via` is
 * the suite's way in (a request to a path through the Ingress or the Gateway).
 * @param {(path: string, options?: RequestOptions) => Promise<Response>} via
 * @param {string} title
 */
export async function signUpCreateAndList(via, title) {
  const email = `front-door-${randomBytes(4).toString('hex')}@example.test`;
  const signUp = await via('/api/auth/sign-up/email', {
    method: 'POST',
    body: { email, password: 'correct-horse-battery', name: 'Front Door Test' },
  });
  assert.equal(signUp.status, 200, signUp.text);
  const { token, user } = signUp.json();
  const auth = { authorization: `Bearer ${token}` };
  const create = await via(`/api/${user.id}/tasks`, { method: 'POST', headers: auth, body: { title } });
  assert.equal(create.status, 201, create.text);
  const list = await via(`/api/${user.id}/tasks`, { headers: auth });
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(
    list.json().tasks.map((/** @type {{ id: string; title: string }} */ t) => [t.id, t.title]),
    [[create.json().id, title]],
  );
}

/** The node's InternalIP: where the ingress controller listens (ports 80 and 443). */
export async function nodeAddress() {
  const { items } = await inNamespace('').kubectlJson('get', 'nodes');
  const address = items[0]?.status.addresses.find((/** @type {any} */ a) => a.type === 'InternalIP')?.address;
  if (!address) throw new Error('the test cluster has no node with an InternalIP');
  return address;
}

/**
 * A pod that runs `sleep` in the test cluster's busybox image (PROBE_IMAGE), admitted by PodSecurity `restricted`,
 * to open connections from with `nc`. Returns its name once it is Ready.
 * @param {string} namespace
 * @param {string} name
 * @param {Record<string, string>} [labels]
 */
export async function probePod(namespace, name, labels = {}) {
  const { apply, kubectlJson } = inNamespace(namespace);
  await apply([
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace, labels: { 'app.kubernetes.io/name': 'probe', ...labels } },
      spec: {
        restartPolicy: 'Never',
        terminationGracePeriodSeconds: 0,
        automountServiceAccountToken: false,
        securityContext: {
          runAsNonRoot: true,
          runAsUser: 65534,
          runAsGroup: 65534,
          seccompProfile: { type: 'RuntimeDefault' },
        },
        containers: [
          {
            name: 'probe',
            image: env('PROBE_IMAGE'),
            imagePullPolicy: 'Never',
            command: ['sleep', '3600'],
            securityContext: {
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              capabilities: { drop: ['ALL'] },
            },
            resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '32Mi' } },
          },
        ],
      },
    },
  ]);
  await waitFor(
    `probe pod ${namespace}/${name} Ready`,
    async () => isReady(await kubectlJson('get', 'pod', name)),
    90_000,
  );
  return name;
}
