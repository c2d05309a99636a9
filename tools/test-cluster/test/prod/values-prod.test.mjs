// @ts-check
/**
 * deploy/helm/todo-stack/values-prod.yaml on the real node, as its header tells an operator to use it: a Secret made
 * beforehand (`secrets.existingSecret`) whose DATABASE_URL points at a PostgreSQL outside the release (here a plain
 * Deployment of the project's PostgreSQL image in namespace `external-db`), a TLS Secret for the Ingress (self-signed
 * with openssl), the images' tags on the command line. Every object must be accepted by the API server (namespace
 * with PodSecurity `restricted`), the HPAs and PDBs exist, the pods get Ready, and the app answers over HTTPS through
 * the ingress controller (Traefik on the node's port 443, tools/test-cluster/up.sh --ingress).
 * HPAs need metrics only to scale; there is no metrics-server here, so what is asserted is their creation and the
 * minimum replicas they enforce.
 *
 * Env (set by tools/test-cluster/suites/chart.sh): KUBECONFIG, KUBECTL, HELM, CLUSTER_CHART, BACKEND_IMAGE, FRONTEND_IMAGE,
 * POSTGRES_IMAGE.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { env, inNamespace, isReady, nodeAddress, request, run, waitFor } from '../helpers.mjs';

const NS = 'todo-prod';
const DB_NS = 'external-db';
const RELEASE = 'todo';
const FULLNAME = `${RELEASE}-todo-stack`;
const CHART = env('CLUSTER_CHART');
const prod = inNamespace(NS);
const db = inNamespace(DB_NS);
// values-prod.yaml runs two frontend pods: without the frontend image the suite fails at once.
env('FRONTEND_IMAGE');

/** Values of values-prod.yaml this cluster must know: its host, TLS Secret and existing Secret. */
const HOST = 'todo.example.com';
const TLS_SECRET = 'todo-example-com-tls';
const EXISTING_SECRET = 'todo-stack-secrets';

const tmp = mkdtempSync(path.join(tmpdir(), 'values-prod-'));
/** @type {string} */
let certificate;

/** `--set` flags for an image ref (`name:tag`) loaded into the node, never pulled. */
const imageValues = (/** @type {string} */ key, /** @type {string} */ ref) => [
  '--set-string',
  `${key}.image.registry=`,
  '--set-string',
  `${key}.image.repository=${ref.slice(0, ref.lastIndexOf(':'))}`,
  '--set-string',
  `${key}.image.tag=${ref.slice(ref.lastIndexOf(':') + 1)}`,
  '--set-string',
  `${key}.image.pullPolicy=Never`,
];

/** The "external" database: PostgreSQL with the official image interface, no volume (test data). */
async function startExternalDatabase(/** @type {string} */ password) {
  await inNamespace('').kubectl('create', 'namespace', DB_NS);
  const labels = { 'app.kubernetes.io/name': 'external-postgresql' };
  const probe = { exec: { command: ['pg_isready', '--host=127.0.0.1', '--username=todo', '--dbname=todo'] } };
  await db.apply([
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'postgresql' },
      stringData: { POSTGRES_PASSWORD: password },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'postgresql', labels },
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            securityContext: { runAsNonRoot: true, runAsUser: 999, runAsGroup: 999, fsGroup: 999 },
            containers: [
              {
                name: 'postgresql',
                image: env('POSTGRES_IMAGE'),
                imagePullPolicy: 'Never',
                env: [
                  { name: 'POSTGRES_USER', value: 'todo' },
                  { name: 'POSTGRES_DB', value: 'todo' },
                  { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
                  {
                    name: 'POSTGRES_PASSWORD',
                    valueFrom: { secretKeyRef: { name: 'postgresql', key: 'POSTGRES_PASSWORD' } },
                  },
                ],
                ports: [{ name: 'postgresql', containerPort: 5432 }],
                readinessProbe: { ...probe, periodSeconds: 2 },
                volumeMounts: [
                  { name: 'data', mountPath: '/var/lib/postgresql/data' },
                  { name: 'run', mountPath: '/var/run/postgresql' },
                ],
                resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '512Mi' } },
              },
            ],
            volumes: [
              { name: 'data', emptyDir: {} },
              { name: 'run', emptyDir: {} },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'postgresql' },
      spec: { selector: labels, ports: [{ name: 'postgresql', port: 5432, targetPort: 'postgresql' }] },
    },
  ]);
  await db.kubectl('wait', '--for=condition=Available', 'deployment/postgresql', '--timeout=180s');
  return `postgres://todo:${encodeURIComponent(password)}@postgresql.${DB_NS}.svc.cluster.local:5432/todo`;
}

before(async () => {
  await inNamespace('').kubectl('create', 'namespace', NS);
  await inNamespace('').kubectl(
    'label',
    'namespace',
    NS,
    'pod-security.kubernetes.io/enforce=restricted',
    'pod-security.kubernetes.io/warn=restricted',
  );
  const databaseUrl = await startExternalDatabase(randomBytes(18).toString('base64url'));
  // What an operator creates before the install (values-prod.yaml's header).
  await prod.kubectl(
    'create',
    'secret',
    'generic',
    EXISTING_SECRET,
    `--from-literal=DATABASE_URL=${databaseUrl}`,
    `--from-literal=BETTER_AUTH_SECRET=${randomBytes(48).toString('base64')}`,
  );
  const key = path.join(tmp, 'tls.key');
  const crt = path.join(tmp, 'tls.crt');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    `/CN=${HOST}`,
    '-addext',
    `subjectAltName=DNS:${HOST}`,
    '-keyout',
    key,
    '-out',
    crt,
  ]);
  certificate = readFileSync(crt, 'utf8');
  await prod.kubectl('create', 'secret', 'tls', TLS_SECRET, `--cert=${crt}`, `--key=${key}`);
});

after(async () => {
  rmSync(tmp, { recursive: true, force: true });
  await prod.helm('uninstall', RELEASE, '--wait', '--timeout', '2m').catch(() => undefined);
  await inNamespace('').kubectl(
    'delete',
    'namespace',
    NS,
    DB_NS,
    '--ignore-not-found',
    '--wait=true',
    '--timeout=120s',
  );
});

test('helm install -f values-prod.yaml: every object accepted, pods Ready', { timeout: 420_000 }, async () => {
  const started = Date.now();
  const out = await prod.helm(
    'install',
    RELEASE,
    CHART,
    '-f',
    path.join(CHART, 'values-prod.yaml'),
    ...imageValues('backend', env('BACKEND_IMAGE')),
    ...imageValues('frontend', env('FRONTEND_IMAGE')),
    '--wait',
    '--wait-for-jobs',
    '--timeout',
    '5m',
  );
  console.log(`# helm install -f values-prod.yaml --wait: ${Date.now() - started} ms`);
  assert.doesNotMatch(out, /violate PodSecurity/i);
  // Every object of the release's manifest is in the cluster.
  const manifest = await prod.helm('get', 'manifest', RELEASE);
  const objects = [...manifest.matchAll(/^kind: (\w+)\nmetadata:\n {2}name: "?([\w.-]+)"?/gm)].map(
    ([, kind, name]) => `${kind}/${name}`,
  );
  assert.ok(objects.length >= 10, `the manifest has only ${objects.length} objects`);
  const missing = [];
  for (const object of objects) await prod.kubectl('get', object.toLowerCase()).catch(() => missing.push(object));
  assert.deepEqual(missing, []);
  console.log(`# objects: ${objects.join(' ')}`);
  const kinds = new Set(objects.map((o) => o.split('/')[0]));
  for (const kind of ['HorizontalPodAutoscaler', 'PodDisruptionBudget', 'NetworkPolicy', 'Ingress'])
    assert.ok(kinds.has(kind), `no ${kind} in the release`);
  assert.ok(
    !kinds.has('StatefulSet') && !kinds.has('Secret'),
    'values-prod.yaml runs no PostgreSQL and makes no Secret',
  );
});

test(
  'the HPAs and PDBs of both components exist; the HPAs hold the minimum replicas',
  { timeout: 240_000 },
  async () => {
    for (const component of ['backend', 'frontend']) {
      const hpa = await prod.kubectlJson('get', 'hpa', `${FULLNAME}-${component}`);
      assert.deepEqual(
        [hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name, hpa.spec.minReplicas, hpa.spec.maxReplicas],
        ['Deployment', `${FULLNAME}-${component}`, 2, 10],
      );
      const pdb = await prod.kubectlJson('get', 'pdb', `${FULLNAME}-${component}`);
      assert.equal(pdb.spec.minAvailable, 1);
      // The HPA controller raises the Deployment to minReplicas without metrics; the PDB then counts them.
      await waitFor(`2 Ready ${component} pods`, async () => {
        const { items } = await prod.kubectlJson(
          'get',
          'pods',
          '-l',
          `app.kubernetes.io/instance=${RELEASE},app.kubernetes.io/component=${component}`,
        );
        return items.filter((/** @type {any} */ p) => !p.metadata.deletionTimestamp && isReady(p)).length === 2;
      });
      await waitFor(`the ${component} PDB to count 2 healthy pods`, async () => {
        const { status } = await prod.kubectlJson('get', 'pdb', `${FULLNAME}-${component}`);
        return status.currentHealthy === 2 && status.disruptionsAllowed === 1;
      });
    }
  },
);

test('the app answers over HTTPS through the ingress with the TLS Secret, on the external database', async () => {
  const node = await nodeAddress();
  const https = (/** @type {string} */ p, /** @type {import('../helpers.mjs').RequestOptions} */ options = {}) =>
    request(`https://${HOST}${p}`, {
      connectTo: node,
      ca: certificate,
      ...options,
      headers: { origin: `https://${HOST}`, ...options.headers },
    });
  // Traefik picks the Ingress and its certificate up within seconds; the CA pins the self-signed one.
  await waitFor('the API over HTTPS', async () => (await https('/api/no-such-route')).json(), 60_000);
  const email = `prod-${randomBytes(4).toString('hex')}@example.test`;
  const signUp = await https('/api/auth/sign-up/email', {
    method: 'POST',
    body: { email, password: 'correct-horse-battery', name: 'Prod Values' },
  });
  assert.equal(signUp.status, 200, signUp.text);
  const { token, user } = signUp.json();
  const create = await https(`/api/${user.id}/tasks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: { title: 'stored in the external database' },
  });
  assert.equal(create.status, 201, create.text);
  // The row is in the external PostgreSQL.
  const { items } = await db.kubectlJson('get', 'pods', '-l', 'app.kubernetes.io/name=external-postgresql');
  const { stdout } = await run(env('KUBECTL'), [
    '-n',
    DB_NS,
    'exec',
    items[0].metadata.name,
    '--',
    'psql',
    '-U',
    'todo',
    '-d',
    'todo',
    '-tAc',
    `select count(*) from tasks where title = 'stored in the external database'`,
  ]);
  assert.equal(stdout.trim(), '1');
  const page = await https('/sign-in');
  assert.equal(page.status, 200);
  assert.match(String(page.headers['content-type']), /^text\/html/);
});
