// @ts-check
/**
 * The real Minikube, as a user meets it: `minikube/start.sh` from no profile, then `npx nx run deploy:minikube` with
 * no --kubeContext (images in by `minikube image load`, the front door, helm upgrade --install with values-dev,
 * helm test), sign-up, create and list through the URLs it prints (the NodePort, and the Gateway's host on port
 * 80); a re-run that changes nothing; the chart's NetworkPolicies enforced by the profile's CNI (kube-router), by the
 * very suite that checks them on the test cluster; `kubectl top pods` through the metrics-server addon on its image
 * built here; then the life cycle: status.sh, stop.sh, start.sh again (the tasks are still there), tunnel.sh
 * --port-forward, delete.sh.
 *
 * Run by tools/minikube-node/e2e.sh (`npx nx run minikube-node:e2e`), which builds the node image and sets the env;
 * skipped anywhere else. Env: MINIKUBE_E2E=1, minikube, kubectl and helm on PATH, MINIKUBE_START_ARGS and the
 * profile overrides (MINIKUBE_*, TRAEFIK_IMAGE, KUBE_ROUTER_IMAGE, GATEWAY_API_CRDS), POSTGRES_IMAGE,
 * METRICS_SERVER_IMAGE, PROBE_IMAGE (busybox, for the policy checks' probe pods), INPUT_BUILD_ARGS.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify, stripVTControlCharacters } from 'node:util';
import { freePort, request, runCollecting, scriptedNxEnv, waitFor, WatchedProcess } from '@todo-stack/testing';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const enabled = process.env.MINIKUBE_E2E === '1';
const PROFILE = process.env.MINIKUBE_PROFILE || 'todo-stack';
const NS = 'todo';
const RELEASE = 'todo-stack';
const HOST = 'todo.local'; // values-dev.yaml's route host
/** The backend file the live update check edits (and restores): where its routes are registered. */
const LIVE_EDIT = 'apps/backend/src/app/routes/index.ts';
const LIVE_EDIT_ANCHOR = 'export async function registerRoutes(app: FastifyInstance): Promise<void> {\n';
const run = promisify(execFile);

/** @type {Record<string, unknown>} */
const figures = {};
const report = (/** @type {string} */ key, /** @type {unknown} */ value) => {
  figures[key] = value;
  console.log(`# ${key}: ${JSON.stringify(value)}`);
};

/** A command from the workspace root, as a user runs it; its exit code, output and seconds. `env`: overrides. */
const runCommand = (
  /** @type {string} */ command,
  /** @type {string[]} */ args,
  /** @type {Record<string, string>} */ env = {},
) => runCollecting(command, args, { cwd: root, env: scriptedNxEnv(env) });

/**
 * `nx run deploy:minikube` with what the node cannot pull (PostgreSQL comes from the local Docker, like the apps and
 * Traefik), then `extra`; its output style unless `extra` names one.
 */
function deployArgs(/** @type {string[]} */ ...extra) {
  const postgres = process.env.POSTGRES_IMAGE ?? '';
  const at = postgres.lastIndexOf(':');
  return [
    'nx',
    'run',
    'deploy:minikube',
    `--extraImages=${postgres},${process.env.TRAEFIK_IMAGE ?? ''}`,
    `--set=postgresql.image.repository=${postgres.slice(0, at)}`,
    `--set=postgresql.image.tag=${postgres.slice(at + 1)}`,
    '--set=postgresql.image.pullPolicy=Never',
    ...(extra.some((option) => option.startsWith('--output-style')) ? [] : ['--output-style=static']),
    ...extra,
  ];
}
const deploy = (/** @type {string[]} */ ...extra) => runCommand('npx', deployArgs(...extra));
/** `deploy` with the Nx daemon, as on a developer's machine (Nx starts it by default outside CI). */
const deployWithDaemon = (/** @type {string[]} */ ...extra) =>
  runCommand('npx', deployArgs(...extra), { NX_DAEMON: 'true' });
const helper = (/** @type {string} */ name, /** @type {string[]} */ ...args) =>
  runCommand('bash', [`minikube/${name}.sh`, ...args]);
/** @param {string[]} args */
const kubectl = async (...args) =>
  (await run('kubectl', ['--context', PROFILE, ...args], { maxBuffer: 64 << 20 })).stdout;
const helmRevision = async () => {
  const { stdout } = await run('helm', ['--kube-context', PROFILE, 'history', RELEASE, '-n', NS, '-o', 'json']);
  return /** @type {{ revision: number; status: string }[]} */ (JSON.parse(stdout)).at(-1);
};
/** The test cluster's NetworkPolicy suite: the same allow/deny checks, run here against the profile. */
const NETWORK_POLICY_SUITE = path.join(root, 'tools/test-cluster/test/network-policy.test.mjs');
/** @param {{ code: number | null; output: string }} result */
const tail = (result) => `exit ${result.code}; the end of its output:\n${result.output.slice(-4000)}`;

/**
 * The user's journey against one base URL (Host header `host` when given): sign-up, a task, the list.
 * @param {string} base @param {string} [host]
 */
async function journey(base, host) {
  // The browser's origin: the URL's, or the host name the Gateway routes (what a browser at http://todo.local sends).
  const headers = host ? { origin: `http://${host}`, host } : { origin: base };
  const email = `minikube-${randomUUID()}@example.com`;
  const signUp = await request(`${base}/api/auth/sign-up/email`, {
    method: 'POST',
    headers,
    body: { email, password: 'correct horse battery staple', name: 'Minikube' },
    timeoutMs: 15_000,
  });
  assert.equal(signUp.status, 200, `sign-up through ${base}: ${signUp.status} ${signUp.text}`);
  const { token, user } = signUp.json();
  const auth = { ...headers, authorization: `Bearer ${token}` };
  const title = `on minikube ${randomUUID().slice(0, 8)}`;
  const created = await request(`${base}/api/${user.id}/tasks`, { method: 'POST', headers: auth, body: { title } });
  assert.equal(created.status, 201, `create through ${base}: ${created.status} ${created.text}`);
  const listed = await request(`${base}/api/${user.id}/tasks`, { headers: auth });
  assert.equal(listed.status, 200, `list through ${base}: ${listed.status} ${listed.text}`);
  assert.deepEqual(
    listed.json().tasks.map((/** @type {{ title: string }} */ t) => t.title),
    [title],
  );
  return { userId: user.id, token, title };
}

describe(
  'the real Minikube: minikube/start.sh, npx nx run deploy:minikube, the life cycle',
  { skip: !enabled && 'run through tools/minikube-node/e2e.sh', concurrency: false },
  () => {
    /** @type {string} */
    let nodeIp = '';
    /** @type {string} */
    let nodePortUrl = '';
    /** @type {{ userId: string; token: string; title: string } | undefined} */
    let account;
    let setupSeconds = 0;

    after(() => console.log(`# minikube figures: ${JSON.stringify(figures)}`));

    test('minikube/start.sh starts the profile from nothing and the node becomes Ready', async () => {
      await runCommand('minikube', ['delete', '-p', PROFILE]);
      const started = await helper('start');
      assert.equal(started.code, 0, tail(started));
      await kubectl('wait', 'node', '--all', '--for=condition=Ready', '--timeout=300s');
      setupSeconds += started.seconds;
      report('start.sh from no profile to a Ready node (s)', started.seconds);
      nodeIp = (await run('minikube', ['-p', PROFILE, 'ip'])).stdout.trim();
      assert.match(nodeIp, /^\d+\.\d+\.\d+\.\d+$/);
    });

    test('npx nx run deploy:minikube deploys, tests and prints the URLs; the app answers through them', async () => {
      const result = await deploy();
      assert.equal(result.code, 0, tail(result));
      setupSeconds += result.seconds;
      report('first deploy (s)', result.seconds);
      report('from zero: start.sh + first deploy (s)', Math.round(setupSeconds * 10) / 10);
      assert.match(result.output, /minikube -p \S+ image load|image load/, 'the images went in the Minikube way');
      assert.match(result.output, new RegExp(`http://${HOST}/`));
      const nodePort = new RegExp(`http://${nodeIp.replaceAll('.', '\\.')}:(\\d+)/`).exec(result.output);
      assert.ok(nodePort, `no NodePort URL on ${nodeIp} in:\n${result.output.slice(-2000)}`);
      nodePortUrl = `http://${nodeIp}:${nodePort[1]}`;
      account = await journey(nodePortUrl);
      // The Gateway (Traefik on the node's port 80) routes the same host the route names.
      await journey(`http://${nodeIp}`, HOST);
    });

    test('a re-run with nothing changed reuses the profile and adds no helm revision', async () => {
      const before = await helmRevision();
      // --verbose: the executor's last line says where the time went (Nx's start, each CLI call).
      const result = await deploy('--verbose');
      assert.equal(result.code, 0, tail(result));
      report('no-op re-run without the Nx daemon, as CI runs it (s)', result.seconds);
      report('no-op re-run phases', /⏱ (.*)/.exec(result.output)?.[1]);
      assert.match(result.output, /reusing it|is running/);
      assert.match(result.output, /unchanged/);
      assert.deepEqual(await helmRevision(), before);
    });

    test('the same re-run with the Nx daemon, as on a developer’s machine: cached outputs stay as they are', async () => {
      const before = await helmRevision();
      try {
        // The developer's earlier run started the daemon; this one does (it reads the graph and records the outputs).
        const warm = await deployWithDaemon();
        assert.equal(warm.code, 0, tail(warm));
        const result = await deployWithDaemon('--verbose');
        assert.equal(result.code, 0, tail(result));
        report('no-op re-run with the Nx daemon (s)', result.seconds);
        report('no-op re-run with the Nx daemon: phases', /⏱ (.*)/.exec(result.output)?.[1]);
        // The daemon knows the images' and builds' outputs are on disk: nothing is copied back from the cache (without
        // it Nx copies every cached output on each run, the frontend's build included).
        assert.match(result.output, /existing outputs match the cache, left as is/);
        assert.match(result.output, /unchanged/);
        assert.deepEqual(await helmRevision(), before);
      } finally {
        await runCommand('npx', ['nx', 'daemon', '--stop'], { NX_DAEMON: 'true' });
      }
    });

    test('the CNI enforces the chart’s NetworkPolicies: the test cluster’s allow/deny checks pass here', async () => {
      const cni = JSON.parse(await kubectl('-n', 'kube-system', 'get', 'daemonset', 'kube-router', '-o', 'json'));
      assert.equal(cni.spec.template.spec.containers[0].image, process.env.KUBE_ROUTER_IMAGE);
      const probeImage = process.env.PROBE_IMAGE ?? '';
      assert.ok(probeImage, 'PROBE_IMAGE (the probe pods’ busybox) is set by tools/minikube-node/e2e.sh');
      const loaded = await runCommand('minikube', ['-p', PROFILE, 'image', 'load', probeImage]);
      assert.equal(loaded.code, 0, tail(loaded));
      const frontend = JSON.parse(
        await kubectl('-n', NS, 'get', 'deployments', '-l', 'app.kubernetes.io/component=frontend', '-o', 'json'),
      ).items[0];
      assert.ok(frontend, 'the release has a frontend Deployment');
      // The suite's kubectl and helm talk to the cluster of KUBECONFIG: this profile's context alone.
      const dir = await mkdtemp(path.join(os.tmpdir(), 'minikube-netpol-'));
      try {
        const kubeconfig = path.join(dir, 'kubeconfig');
        await writeFile(kubeconfig, await kubectl('config', 'view', '--minify', '--flatten'), { mode: 0o600 });
        const suite = await runCollecting(
          process.execPath,
          ['--test', '--test-concurrency=1', '--test-reporter=spec', NETWORK_POLICY_SUITE],
          {
            cwd: root,
            env: {
              ...process.env,
              // Set by this runner for its children: it would make the inner run report to this one, not print.
              NODE_TEST_CONTEXT: undefined,
              KUBECONFIG: kubeconfig,
              KUBECTL: 'kubectl',
              HELM: 'helm',
              CLUSTER_NAMESPACE: NS,
              CLUSTER_RELEASE: RELEASE,
              PROBE_IMAGE: probeImage,
              FRONTEND_IMAGE: frontend.spec.template.spec.containers[0].image,
            },
          },
        );
        const counts = Object.fromEntries(
          [...stripVTControlCharacters(suite.output).matchAll(/^\s*ℹ (tests|pass|fail|skipped|todo) (\d+)$/gm)].map(
            (m) => [m[1], Number(m[2])],
          ),
        );
        report('NetworkPolicy checks (tools/test-cluster/test/network-policy.test.mjs)', counts);
        assert.equal(suite.code, 0, tail(suite));
        assert.ok(counts.pass > 0 && counts.pass === counts.tests, tail(suite));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    test('the metrics-server addon runs on the image built here (MINIKUBE_ADDON_IMAGES); kubectl top pods answers', async () => {
      const pod = await waitFor(
        async () => {
          const { items } = JSON.parse(
            await kubectl('-n', 'kube-system', 'get', 'pods', '-l', 'k8s-app=metrics-server', '-o', 'json'),
          );
          return items.find((/** @type {any} */ p) =>
            p.status.conditions?.some((/** @type {any} */ c) => c.type === 'Ready' && c.status === 'True'),
          );
        },
        { timeoutMs: 300_000, intervalMs: 5_000, what: 'a Ready metrics-server pod' },
      );
      assert.equal(pod.spec.containers[0].image, process.env.METRICS_SERVER_IMAGE);
      // The Metrics API through the API server's aggregator; the first scrape comes within the addon's resolution.
      const top = await waitFor(
        async () => {
          const out = await kubectl('top', 'pods', '-n', NS, '--no-headers').catch(() => '');
          return /^\S*backend\S*\s+\d+m\s+\d+Mi\s*$/m.test(out) && /^\S*frontend\S*\s+\d+m\s+\d+Mi\s*$/m.test(out)
            ? out
            : undefined;
        },
        { timeoutMs: 240_000, intervalMs: 5_000, what: `kubectl top pods -n ${NS} listing the backend and frontend` },
      );
      report(
        `kubectl top pods -n ${NS}`,
        top
          .trim()
          .split('\n')
          .map((line) => line.trim().replace(/\s+/g, ' ')),
      );
    });

    test('status.sh, stop.sh, start.sh again: the release and its data are still there', async () => {
      assert.ok(account, 'the first deploy made an account');
      const status = await helper('status');
      assert.equal(status.code, 0, tail(status));
      const stopped = await helper('stop');
      assert.equal(stopped.code, 0, tail(stopped));
      const down = await helper('status', '--quiet');
      assert.notEqual(down.code, 0, 'status.sh says a stopped profile is not running');
      const restarted = await helper('start');
      assert.equal(restarted.code, 0, tail(restarted));
      report('start.sh of a stopped profile (s)', restarted.seconds);
      await kubectl('wait', 'node', '--all', '--for=condition=Ready', '--timeout=300s');
      await kubectl(
        '-n',
        NS,
        'rollout',
        'status',
        'deployment',
        '-l',
        `app.kubernetes.io/instance=${RELEASE}`,
        '--timeout=300s',
      );
      const { userId, token, title } = account;
      const listed = await waitFor(
        async () => {
          const res = await request(`${nodePortUrl}/api/${userId}/tasks`, {
            headers: { authorization: `Bearer ${token}` },
          }).catch(() => undefined);
          return res?.status === 200 ? res : undefined;
        },
        { timeoutMs: 300_000, intervalMs: 3_000, what: 'the task list after the restart' },
      );
      assert.deepEqual(
        listed.json().tasks.map((/** @type {{ title: string }} */ t) => t.title),
        [title],
      );
    });

    test('tunnel.sh --port-forward serves the app on localhost', async () => {
      const port = await freePort();
      const forward = spawn('bash', ['minikube/tunnel.sh', '--port-forward', String(port)], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      try {
        const health = await waitFor(
          async () => {
            const res = await request(`http://127.0.0.1:${port}/api/health`).catch(() => undefined);
            return res?.status === 200 ? res : undefined;
          },
          { timeoutMs: 60_000, intervalMs: 1_000, what: `http://127.0.0.1:${port}/api/health through tunnel.sh` },
        );
        assert.equal(health.status, 200);
      } finally {
        forward.kill('SIGTERM');
      }
    });

    test(
      'live update: the pods run the workspace start.sh mounted; a backend edit answers through the Gateway, nothing rolls',
      { timeout: 1_200_000 },
      async () => {
        const file = path.join(root, LIVE_EDIT);
        const original = readFileSync(file, 'utf8');
        assert.ok(original.includes(LIVE_EDIT_ANCHOR), `${LIVE_EDIT} no longer has the line this check edits`);
        // `nx run deploy:minikube --watch --live` as a developer runs it; the images are those of the first deploy.
        const watch = new WatchedProcess(
          'npx',
          deployArgs(
            '--watch',
            '--live',
            '--port=0',
            '--helmTest=false',
            '--output-style=stream-without-prefixes',
            '--exclude-task-dependencies',
          ),
          { cwd: root, env: scriptedNxEnv() },
        );
        // Through the front door, as a browser: /api goes to the backend's Service (the chart's HTTPRoute).
        const url = `http://${nodeIp}/api/auth/get-session`;
        const headers = { host: HOST, origin: `http://${HOST}` };
        try {
          await watch.line(/👀 watching/, 0, 900_000);
          assert.match(watch.output, /the workspace is \/todo-stack on the node/);
          const backend = JSON.parse(
            await kubectl('-n', NS, 'get', 'pods', '-l', 'app.kubernetes.io/component=backend', '-o', 'json'),
          ).items;
          assert.ok(
            backend.every((/** @type {any} */ pod) =>
              pod.spec.volumes.some((/** @type {any} */ v) => v.hostPath?.path === '/todo-stack'),
            ),
            "the backend pods mount the profile's /todo-stack",
          );
          await waitFor(async () => (await request(url, { headers }).catch(() => undefined))?.status === 200, {
            timeoutMs: 120_000,
            intervalMs: 500,
            what: `${url} through the Gateway`,
          });
          const workloads = async () =>
            [
              await kubectl('-n', NS, 'get', 'replicasets', '-o', 'name'),
              await kubectl(
                '-n',
                NS,
                'get',
                'pods',
                '-l',
                'app.kubernetes.io/component=backend',
                '-o',
                'jsonpath={range .items[*]}{.metadata.uid} {.status.containerStatuses[0].restartCount}{"\\n"}{end}',
              ),
            ].join('');
          const before = await workloads();
          const marker = `minikube-live-${Date.now()}`;
          const offset = watch.output.length;
          const saved = Date.now();
          writeFileSync(
            file,
            original.replace(
              LIVE_EDIT_ANCHOR,
              `${LIVE_EDIT_ANCHOR}  app.addHook('onSend', (_request, reply, _payload, done) => {\n    reply.header('x-live-edit', '${marker}');\n    done();\n  });\n`,
            ),
          );
          const served = await waitFor(
            async () => {
              const answer = await request(url, { headers, timeoutMs: 5000 }).catch(() => undefined);
              return answer?.headers['x-live-edit'] === marker ? Date.now() : undefined;
            },
            { timeoutMs: 300_000, intervalMs: 50, what: 'the edited backend through the Gateway' },
          );
          report('live update: backend edit → answering through the Gateway (s)', (served - saved) / 1000);
          const summary = await watch.line(/^⚡ changed apps\/backend\/src/, offset);
          report('live update: loop summary', summary);
          assert.match(summary, /restarting in place/);
          assert.equal(await workloads(), before, 'no new ReplicaSet, no new backend pod, no container restart');
        } finally {
          writeFileSync(file, original);
          await watch.stop();
          // The loop's own lines (the pods' logs, prefixed `backend  │`, left out): what it did and why.
          const lines = watch.output.split('\n').filter((line) => !/^\S+\s+│/.test(line));
          console.log(`# the live watch (${watch.ended}):\n${lines.slice(-80).join('\n').replace(/^/gm, '#   ')}`);
        }
      },
    );

    test('delete.sh --yes removes the profile', async () => {
      const deleted = await helper('delete', '--yes');
      assert.equal(deleted.code, 0, tail(deleted));
      const status = await helper('status', '--quiet');
      assert.notEqual(status.code, 0);
    });
  },
);
