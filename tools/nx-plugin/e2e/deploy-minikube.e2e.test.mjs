// End-to-end test of `nx run deploy:minikube`: the real Nx, the real executor and the real minikube/start.sh and
// tools/containers/image-refs.mjs, with fake minikube, docker, kubectl and helm on PATH (fakes/fake-tool.mjs)
// that record their arguments. Asserts the exact command sequence, that a re-run with no app change deploys the
// same tags and rolls nothing, that a frontend-only change rolls only the frontend, the advice for each missing
// tool, the memory check, dry run and kube-context mode. Also the task graph and `--affected` for containers.
//   node --test 'tools/nx-plugin/e2e/*.test.mjs'        (npx nx e2e nx-plugin)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const nxBin = path.join(root, 'node_modules/nx/dist/bin/nx.js');
const TOOLS = ['minikube', 'docker', 'kubectl', 'helm'];
// What the scripts and Nx need besides the four tools; the host's own docker/kubectl/helm stay out of PATH.
const SYSTEM = [
  ...['node', 'bash', 'sh', 'env', 'dirname', 'cat', 'grep', 'tr', 'git', 'sed', 'mktemp', 'rm', 'uname'],
  ...['cksum', 'cut', 'mkdir', 'mv'], // minikube/start.sh's CNI manifest
];

/** The real helm: HELM_BIN, the one tools/helm/install-helm.sh caches, or helm on PATH. */
function findHelm() {
  if (process.env.HELM_BIN) return process.env.HELM_BIN;
  const versions = readFileSync(path.join(root, 'tools/helm/versions.env'), 'utf8');
  const version = /^HELM_VERSION=(\S+)/m.exec(versions)?.[1];
  const cache = process.env.TODO_STACK_CACHE || path.join(process.env.HOME ?? '', '.cache/todo-stack');
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch] ?? process.arch;
  const cached = path.join(cache, 'tools', `helm-${version}-${process.platform}-${arch}`, 'helm');
  if (existsSync(cached)) return cached;
  return which('helm') || undefined;
}

const which = (name) =>
  spawnSync('sh', ['-c', `command -v ${name}`], {
    encoding: 'utf8',
  }).stdout.trim();

let work;
let sysbin;
/** The backend's migrations as its build leaves them (the workspace's apps/backend/dist may not exist). */
let migrations;
before(() => {
  work = mkdtempSync(path.join(tmpdir(), 'deploy-e2e-'));
  migrations = path.join(work, 'drizzle');
  mkdirSync(migrations);
  writeFileSync(path.join(migrations, '0000_initial.sql'), 'CREATE TABLE "todos" ("id" uuid PRIMARY KEY);\n');
  sysbin = path.join(work, 'sysbin');
  mkdirSync(sysbin);
  for (const name of SYSTEM) {
    const found = name === 'node' ? process.execPath : which(name);
    if (found) symlinkSync(found, path.join(sysbin, name));
  }
});
after(() => rmSync(work, { recursive: true, force: true }));

/** A fresh world: fake tools (all four unless `without`), Docker images for both apps, no Minikube profile. */
function world(name, { without = [], dockerResources } = {}) {
  const dir = path.join(work, name);
  const bin = path.join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const tool of TOOLS.filter((t) => !without.includes(t))) {
    const script = path.join(bin, tool);
    writeFileSync(
      script,
      `#!/bin/sh\nexec "${process.execPath}" "${path.join(here, 'fakes/fake-tool.mjs')}" ${tool} "$@"\n`,
    );
    chmodSync(script, 0o755);
  }
  const w = {
    dir,
    log: path.join(dir, 'calls.log'),
    state: path.join(dir, 'state'),
    cache: path.join(dir, 'nx-container'),
    env: {},
    /** The app images the container targets "built": imageid files plus tagged images in the fake Docker. */
    images(tags) {
      const docker = {};
      for (const [app, tag] of Object.entries(tags)) {
        const id = `sha256:${app}-${tag}`;
        mkdirSync(path.join(w.cache, app), { recursive: true });
        writeFileSync(path.join(w.cache, app, 'imageid'), `${id}\n`);
        docker[id] = [`todo-${app}:${tag}`];
      }
      const file = path.join(w.state, 'docker-images.json');
      const known = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
      writeFileSync(file, JSON.stringify({ ...known, ...docker }));
    },
    /** Runs nx with this world's PATH; returns { code, output, calls } with only this run's calls. */
    nx(...args) {
      const start = existsSync(w.log) ? readFileSync(w.log, 'utf8').length : 0;
      const result = spawnSync(process.execPath, [nxBin, ...args], {
        cwd: root,
        encoding: 'utf8',
        env: {
          HOME: process.env.HOME,
          PATH: `${bin}:${sysbin}`,
          // As CI runs Nx (.ci/run): no daemon, the graph's plugins in the nx process.
          NX_DAEMON: 'false',
          NX_ISOLATE_PLUGINS: 'false',
          NX_TUI: 'false',
          NX_NO_CLOUD: 'true',
          NO_COLOR: '1',
          FORCE_COLOR: '0',
          FAKE_LOG: w.log,
          MINIKUBE_CALLS_LOG: process.env.MINIKUBE_CALLS_LOG,
          FAKE_STATE: w.state,
          IMAGE_REFS_CACHE_DIR: w.cache,
          // Where the fake minikube saves its profiles' configs (the deploy reads them), never the user's ~/.minikube.
          MINIKUBE_HOME: path.join(dir, 'minikube-home'),
          TODO_STACK_CACHE: w.cache,
          ...w.env,
        },
      });
      const calls = existsSync(w.log)
        ? readFileSync(w.log, 'utf8')
            .slice(start)
            .split('\n')
            .filter(Boolean)
            .map((line) => fp(JSON.parse(line).join(' ')))
        : [];
      return {
        code: result.status,
        output: fp(`${result.stdout}\n${result.stderr}`),
        calls,
      };
    },
  };
  mkdirSync(w.state, { recursive: true });
  if (dockerResources) writeFileSync(path.join(w.state, 'docker-resources.json'), JSON.stringify(dockerResources));
  return w;
}

const deploy = (w, ...extra) =>
  w.nx(
    'run',
    'deploy:minikube',
    '--exclude-task-dependencies',
    '--skip-nx-cache',
    `--migrationsDir=${migrations}`,
    ...extra,
  );

/** The release fingerprint and migrations key depend on the chart's files: shown as FP and MK in calls and output. */
const fp = (text) =>
  text
    .replace(/(deploy-fingerprint=)[0-9a-f]{48}/g, '$1FP')
    .replace(/(todo-stack-migrations=)[0-9a-f]{48}/g, '$1MK')
    .replace(/\S*\/todo-stack-front-door\/traefik-[0-9a-f]{12}\.yaml/g, 'TRAEFIK_MANIFEST')
    .replace(/[^\s=]*\/minikube\/kube-router-\d+\.yaml/g, 'KUBE_ROUTER_MANIFEST');
const helmTarget = (context = 'todo-stack') => `--namespace todo --kube-context ${context}`;
const LIST = `helm list ${helmTarget()} --filter ^todo-stack$ --all --selector todo-stack-deploy-fingerprint=FP --output json`;
const LIST_MIGRATIONS = LIST.replace('todo-stack-deploy-fingerprint=FP', 'todo-stack-migrations=MK');
const TEST = `helm test todo-stack ${helmTarget()} --timeout 5m`;
const HISTORY = `helm history todo-stack ${helmTarget()} --output json`;
const STATUS = `helm status todo-stack ${helmTarget()} --output json`;
const MANIFEST = `helm get manifest todo-stack ${helmTarget()}`;
/** The report reads the frontend's Service from the release (the node's address is the cluster step's). */
const REPORT = [MANIFEST];

/**
 * The executor runs independent read-only calls side by side (Docker's image lookup beside the cluster step, the
 * release's status beside the fingerprint comparison), so the fake tools log them in either order: each group's
 * calls are put back in the group's order, wherever they landed among themselves.
 */
function sideBySide(calls, ...groups) {
  const ordered = [...calls];
  for (const group of groups) {
    const at = group
      .map((call) => ordered.indexOf(call))
      .filter((index) => index >= 0)
      .sort((a, b) => a - b);
    if (at.length === group.length) at.forEach((index, i) => (ordered[index] = group[i]));
  }
  return ordered;
}
const DEPLOYMENTS =
  'kubectl --context todo-stack --namespace todo get deployments -l app.kubernetes.io/instance=todo-stack -o json';
const APPLY = 'kubectl --context todo-stack apply --server-side --force-conflicts --field-manager todo-stack-deploy -f';
/** The front door before the release: the Gateway API CRDs (the release's manifest by default), then Traefik. */
const FRONT_DOOR = [
  `${APPLY} https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.3/standard-install.yaml`,
  'kubectl --context todo-stack wait --for=condition=Established --timeout=60s crd/gatewayclasses.gateway.networking.k8s.io crd/gateways.gateway.networking.k8s.io crd/httproutes.gateway.networking.k8s.io',
  `${APPLY} TRAEFIK_MANIFEST`,
  'kubectl --context todo-stack --namespace traefik rollout status deployment/traefik --timeout=10m',
];
/**
 * `migrate: false`: the upgrade leaves the chart's migration Job out. `node`: the Minikube node's address (`minikube
 * ip`, read after the start), which makes the NodePort URL a trusted origin; none with another context or a dry run.
 */
const upgrade = (backend, frontend, { context = 'todo-stack', migrate = true, node = context === 'todo-stack' } = {}) =>
  'helm upgrade --install todo-stack deploy/helm/todo-stack --namespace todo --create-namespace -f deploy/helm/todo-stack/values-dev.yaml ' +
  `--set backend.image.repository=todo-backend --set backend.image.tag=${backend} --set frontend.image.repository=todo-frontend --set frontend.image.tag=${frontend} ` +
  (migrate ? '' : '--set backend.migrations.runOnUpgrade=false ') +
  (node ? '--set frontend.service.nodeAddress=192.168.49.2 ' : '') +
  `--labels todo-stack-deploy-fingerprint=FP,todo-stack-migrations=MK --wait --timeout 10m --kube-context ${context}`;
/** The images step asks Docker for both apps' recorded images at once. */
const INSPECT_BOTH = 'docker image inspect --format {{json .RepoTags}} sha256:backend-nx-1001 sha256:frontend-nx-2001';

describe('nx run deploy:minikube (fake minikube, docker, kubectl, helm)', () => {
  const w = world('main');
  let first;

  it('first run: starts the profile, loads both images, installs, tests, prints the URL', () => {
    w.images({ backend: 'nx-1001', frontend: 'nx-2001' });
    first = deploy(w);
    assert.equal(first.code, 0, first.output);
    const cluster = [
      'minikube -p todo-stack status --format {{.Host}} {{.APIServer}}',
      'docker info --format {{.NCPU}} {{.MemTotal}}',
      'minikube -p todo-stack status',
      `minikube -p todo-stack start --driver=docker --cpus=4 --memory=8192 --disk-size=20g --kubernetes-version=v1.35.4 --cni=KUBE_ROUTER_MANIFEST --addons=metrics-server --mount-string=${root}:/todo-stack`,
      'minikube -p todo-stack addons list --output json',
      'minikube -p todo-stack ip',
    ];
    assert.deepEqual(sideBySide(first.calls, [...cluster, INSPECT_BOTH], [STATUS, LIST]), [
      ...cluster,
      INSPECT_BOTH,
      STATUS,
      LIST,
      'minikube -p todo-stack image ls',
      'minikube -p todo-stack image load todo-backend:nx-1001',
      'minikube -p todo-stack image load todo-frontend:nx-2001',
      ...FRONT_DOOR,
      HISTORY,
      LIST_MIGRATIONS,
      DEPLOYMENTS,
      upgrade('nx-1001', 'nx-2001'),
      DEPLOYMENTS,
      TEST,
      ...REPORT,
    ]);
    assert.match(first.output, /todo-stack-backend: created \(todo-backend:nx-1001\)/);
    assert.match(first.output, /http:\/\/todo\.local\//);
    assert.match(first.output, /echo "192\.168\.49\.2 todo\.local" \| sudo tee -a \/etc\/hosts/);
    assert.match(first.output, /http:\/\/192\.168\.49\.2:30080\//);
    // Traefik's manifest as applied: the official image, pulled; the node's address for the routes' status.
    const applied = Object.values(JSON.parse(readFileSync(path.join(w.state, 'applied.json'), 'utf8'))).join('\n');
    assert.match(applied, /image: docker\.io\/library\/traefik:v3\.6\n\s+imagePullPolicy: IfNotPresent/);
    assert.match(applied, /--providers\.kubernetesgateway\.statusAddress\.ip=192\.168\.49\.2/);
    assert.doesNotMatch(applied, /@[A-Z_]+@/);
  });

  it('second run with no change: profile reused, and no load, upgrade or helm test (the release fingerprint)', (t) => {
    const start = performance.now();
    const second = deploy(w, '--verbose');
    // Figures to compare runs by, never asserted: they depend on the machine and its load.
    t.diagnostic(
      `no-op re-run: ${((performance.now() - start) / 1000).toFixed(2)} s for nx run deploy:minikube, ${second.calls.length} tool calls`,
    );
    assert.equal(second.code, 0, second.output);
    // --verbose: the executor ends with the time of each phase.
    const phases = /⏱ (start .* │ executor \S+)/.exec(second.output)?.[1];
    assert.ok(phases, second.output);
    t.diagnostic(`no-op phases: ${phases}`);
    // The profile runs and its saved config has the addons: one /readyz through its context, no start.sh or
    // minikube ip. One helm status gives both the last test run and the report's frontend Service: no helm get manifest.
    const cluster = 'kubectl --context todo-stack get --raw /readyz --request-timeout=3s';
    assert.deepEqual(sideBySide(second.calls, [cluster, INSPECT_BOTH], [STATUS, LIST]), [
      cluster,
      INSPECT_BOTH,
      STATUS,
      LIST,
    ]);
    assert.match(second.output, /running, with its addons \(metrics-server\): reusing it/);
    assert.match(second.output, /unchanged: release todo-stack .* nothing deployed \(--force deploys anyway\)/);
    assert.match(second.output, /http:\/\/192\.168\.49\.2:30080\//);
  });

  it('a frontend-only change loads and rolls only the frontend', () => {
    w.images({ frontend: 'nx-2002' });
    const third = deploy(w);
    assert.equal(third.code, 0, third.output);
    assert.deepEqual(
      third.calls.filter((call) => call.includes('image load')),
      ['minikube -p todo-stack image load todo-frontend:nx-2002'],
    );
    // Same migrations, chart and values as the deployed revision: no migration Job.
    assert.ok(third.calls.includes(upgrade('nx-1001', 'nx-2002', { migrate: false })), third.calls.join('\n'));
    assert.match(third.output, /migrations: as in deployed revision 1 .*: the chart's Job is left out/);
    assert.match(third.output, /todo-stack-backend: unchanged, no rollout \(generation 1\)/);
    assert.match(third.output, /todo-stack-frontend: rolled out \(generation 1 → 2: todo-frontend:nx-2002\)/);
  });

  it('--force deploys and tests although nothing changed', () => {
    const forced = deploy(w, '--force');
    assert.equal(forced.code, 0, forced.output);
    assert.ok(forced.calls.includes(upgrade('nx-1001', 'nx-2002')), forced.calls.join('\n'));
    assert.ok(forced.calls.includes(TEST));
    assert.ok(!forced.calls.includes(LIST));
    assert.match(forced.output, /todo-stack-frontend: unchanged, no rollout \(generation 2\)/);
  });

  it('a new migration: the upgrade runs the migration Job', () => {
    writeFileSync(path.join(migrations, '0001_tags.sql'), 'ALTER TABLE "todos" ADD "tag" text;\n');
    w.images({ backend: 'nx-1002' });
    const fourth = deploy(w);
    assert.equal(fourth.code, 0, fourth.output);
    assert.ok(fourth.calls.includes(upgrade('nx-1002', 'nx-2002')), fourth.calls.join('\n'));
    assert.match(fourth.output, /migrations: changed since the deployed revision .*: the chart's Job runs/);
  });

  it('a release that does not get ready: the diagnosis names the pod, its reason and events, exit non-zero', () => {
    const u = world('unready');
    u.images({ backend: 'nx-bad', frontend: 'nx-2001' });
    u.env.FAKE_UNREADY_TAG = 'nx-bad';
    const result = deploy(u);
    assert.notEqual(result.code, 0);
    assert.match(
      result.output,
      /✖ pod todo-stack-backend-\S+: Pending\n\s+backend: ErrImageNeverPull: Container image "todo-backend:nx-bad"/,
    );
    assert.match(result.output, /events:\n\s+Warning ErrImageNeverPull: .* \(×4\)/);
    assert.match(result.output, /helm upgrade failed or the release did not get ready within 10m/);
    assert.ok(!result.calls.includes(TEST));
    const again = deploy(u);
    assert.ok(
      again.calls.some((call) => call.startsWith('helm upgrade')),
      'a failed revision is deployed again',
    );
  });

  it("CI's front door: CRDs from a local file and the locally built Traefik (env wins); a change to either redeploys", () => {
    const c = world('ci-front-door');
    c.images({ backend: 'nx-1001', frontend: 'nx-2001' });
    const crds = path.join(c.dir, 'standard-install.yaml');
    writeFileSync(crds, 'kind: CustomResourceDefinition # v1.6.3\n');
    c.env.GATEWAY_API_CRDS = crds;
    c.env.TRAEFIK_IMAGE = 'localhost/test-cluster/traefik:v3.6.12';
    const result = deploy(c);
    assert.equal(result.code, 0, result.output);
    assert.ok(result.calls.includes(`${APPLY} ${crds}`), result.calls.join('\n'));
    const applied = JSON.parse(readFileSync(path.join(c.state, 'applied.json'), 'utf8'));
    assert.equal(applied[crds], 'kind: CustomResourceDefinition # v1.6.3\n');
    const traefik = Object.values(applied).join('\n');
    assert.match(traefik, /image: localhost\/test-cluster\/traefik:v3\.6\.12\n\s+imagePullPolicy: Never/);

    // Unchanged: no front door, no upgrade.
    const again = deploy(c);
    assert.ok(
      !again.calls.some((call) => call.includes(' apply ') || call.startsWith('helm upgrade')),
      again.calls.join('\n'),
    );
    // Another CRDs file content (a new Gateway API release built into the same path): the front door and the release again.
    writeFileSync(crds, 'kind: CustomResourceDefinition # v1.6.4\n');
    const newCrds = deploy(c);
    assert.ok(newCrds.calls.includes(`${APPLY} ${crds}`), newCrds.calls.join('\n'));
    assert.ok(newCrds.calls.some((call) => call.startsWith('helm upgrade')));
    // Another image: the same.
    c.env.TRAEFIK_IMAGE = 'docker.io/library/traefik:v3.6';
    const newImage = deploy(c);
    assert.ok(newImage.calls.includes(`${APPLY} TRAEFIK_MANIFEST`), newImage.calls.join('\n'));
  });

  it('--frontDoor=false installs no front door', () => {
    const n = world('no-front-door');
    n.images({ backend: 'nx-1001', frontend: 'nx-2001' });
    const result = deploy(n, '--frontDoor=false');
    assert.equal(result.code, 0, result.output);
    assert.ok(!result.calls.some((call) => call.includes(' apply ')), result.calls.join('\n'));
  });

  it('a profile started by hand is reused and gets the addons it lacks', () => {
    const h = world('by-hand');
    h.images({ backend: 'nx-1001', frontend: 'nx-2001' });
    writeFileSync(
      path.join(h.state, 'minikube.json'),
      JSON.stringify({ 'todo-stack': { addons: ['ingress'], images: [] } }),
    );
    const result = deploy(h);
    assert.equal(result.code, 0, result.output);
    assert.deepEqual(result.calls.filter((call) => call.startsWith('minikube')).slice(0, 3), [
      'minikube -p todo-stack status --format {{.Host}} {{.APIServer}}',
      'minikube -p todo-stack addons list --output json',
      'minikube -p todo-stack addons enable metrics-server',
    ]);
    assert.match(result.output, /profile todo-stack is running: reusing it/);
  });

  it('--dry-run starts, loads and installs nothing and renders with helm template', () => {
    const d = world('dry');
    d.images({ backend: 'nx-1001', frontend: 'nx-2001' });
    const result = deploy(d, '--dry-run', '--set=backend.replicas=3', '--set=frontend.replicas=1');
    assert.equal(result.code, 0, result.output);
    assert.deepEqual(result.calls, [
      INSPECT_BOTH,
      'minikube -p todo-stack image ls',
      'helm template todo-stack deploy/helm/todo-stack --namespace todo -f deploy/helm/todo-stack/values-dev.yaml ' +
        '--set backend.image.repository=todo-backend --set backend.image.tag=nx-1001 --set frontend.image.repository=todo-frontend --set frontend.image.tag=nx-2001 ' +
        '--set backend.replicas=3 --set frontend.replicas=1',
    ]);
    assert.match(result.output, /\[dry-run\] bash minikube\/start\.sh/);
    assert.ok(result.output.includes(`[dry-run] ${FRONT_DOOR[0]}`), result.output);
    assert.match(result.output, /\[dry-run\] minikube -p todo-stack image load todo-backend:nx-1001/);
    assert.ok(
      result.output.includes(
        `[dry-run] ${upgrade('nx-1001', 'nx-2001', { node: false }).replace(' --labels', ' --set backend.replicas=3 --set frontend.replicas=1 --labels')}`,
      ),
      result.output,
    );
    assert.match(result.output, /renders 2 resources: Deployment\/todo-stack-backend, Deployment\/todo-stack-frontend/);
  });

  it('--dry-run without minikube installed: previews anyway and warns what a deploy needs', () => {
    const d = world('dry-no-minikube', { without: ['minikube'] });
    d.images({ backend: 'nx-1001', frontend: 'nx-2001' });
    const result = deploy(d, '--dry-run');
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /⚠ minikube is not installed: see https:\/\/minikube\.sigs\.k8s\.io/);
    assert.match(result.output, /⚠ dry run: minikube missing; previewing anyway/);
    assert.match(result.output, /\[dry-run\] minikube -p todo-stack image load todo-backend:nx-1001/);
    assert.match(result.output, /renders 2 resources/);
    assert.equal(result.calls.filter((call) => call.startsWith('minikube')).length, 0);
  });

  it('the fake minikube refuses a flag minikube does not define (the scripts use only real ones)', () => {
    const s = world('strict');
    const bad = spawnSync(path.join(s.dir, 'bin/minikube'), ['-p', 'todo-stack', 'start', '--cpu=4'], {
      encoding: 'utf8',
      env: { FAKE_LOG: s.log, FAKE_STATE: s.state, PATH: sysbin },
    });
    assert.equal(bad.status, 14, bad.stderr);
    assert.match(bad.stderr, /Error: unknown flag: --cpu/);
    const ok = spawnSync(path.join(s.dir, 'bin/minikube'), ['-p', 'todo-stack', 'status', '-o', 'json'], {
      encoding: 'utf8',
      env: { FAKE_LOG: s.log, FAKE_STATE: s.state, PATH: sysbin },
    });
    assert.equal(ok.status, 85, 'no profile yet: minikube exits with ExGuestNotFound');
    const cli = JSON.parse(readFileSync(path.join(here, 'fakes/minikube-cli.json'), 'utf8'));
    const pinned = /^MINIKUBE_VERSION=(\S+)/m.exec(readFileSync(path.join(root, 'minikube/profile.env'), 'utf8'))?.[1];
    assert.equal(cli.version, pinned, 'the fake plays the minikube version minikube/profile.env pins');
  });

  it("--dry-run with the real helm: the executor's values render the real chart", (t) => {
    const realHelm = findHelm();
    if (!realHelm) {
      if (process.env.CI) assert.fail('no helm found (run tools/helm/install-helm.sh) and CI is set');
      t.skip('no real helm on this machine (tools/helm/install-helm.sh builds one)');
      return;
    }
    const r = world('dry-real');
    r.images({ backend: 'nx-1001', frontend: 'nx-2001' });
    r.env.FAKE_REAL_HELM = realHelm;
    const result = deploy(r, '--dry-run', '--set=backend.replicas=3');
    assert.equal(result.code, 0, result.output);
    const resources = /renders \d+ resources: (.*)/.exec(result.output)?.[1].split(', ') ?? [];
    for (const resource of [
      'Deployment/todo-stack-backend',
      'Deployment/todo-stack-frontend',
      'StatefulSet/todo-stack-postgresql',
      'Gateway/todo-stack',
      'HTTPRoute/todo-stack',
      'Job/todo-stack-migrate',
    ]) {
      assert.ok(resources.includes(resource), `${resource} not in ${resources.join(', ')}`);
    }
    const images = /images: (.*)/.exec(result.output)?.[1].split(', ') ?? [];
    assert.ok(images.includes('todo-backend:nx-1001'), images.join(', '));
    assert.ok(images.includes('todo-frontend:nx-2001'), images.join(', '));
  });

  it('kubeContext=current deploys to the current context without minikube', () => {
    const k = world('context', { without: ['minikube'] });
    k.images({ backend: 'nx-1001', frontend: 'nx-2001' });
    k.env.FAKE_CURRENT_CONTEXT = 'kind-todo';
    const result = deploy(k, '--kubeContext=current', '--set=backend.replicas=1');
    assert.equal(result.code, 0, result.output);
    assert.equal(result.calls.filter((call) => call.startsWith('minikube')).length, 0);
    assert.equal(result.calls.filter((call) => call !== INSPECT_BOTH)[0], 'kubectl config current-context');
    assert.ok(
      result.calls.includes(
        upgrade('nx-1001', 'nx-2001', { context: 'kind-todo' }).replace(
          ' --labels',
          ' --set backend.replicas=1 --labels',
        ),
      ),
      result.calls.join('\n'),
    );
  });

  it('--transport=registry: enables the registry addon, pushes to `minikube ip`:5000, pods pull localhost:5000', () => {
    const r = world('registry');
    r.images({ backend: 'nx-1001', frontend: 'nx-2001' });
    const result = deploy(r, '--transport=registry');
    assert.equal(result.code, 0, result.output);
    // After the start's addons list and the cluster step's `minikube ip`.
    const moves = result.calls.filter((call) =>
      /^(docker (tag|push)|minikube .*(addons (list|enable)|image|ip))/.test(call),
    );
    assert.deepEqual(moves.slice(2), [
      'minikube -p todo-stack addons list --output json',
      'minikube -p todo-stack addons enable registry',
      'minikube -p todo-stack ip',
      'docker tag todo-backend:nx-1001 192.168.49.2:5000/todo-backend:nx-1001',
      'docker push 192.168.49.2:5000/todo-backend:nx-1001',
      'docker tag todo-frontend:nx-2001 192.168.49.2:5000/todo-frontend:nx-2001',
      'docker push 192.168.49.2:5000/todo-frontend:nx-2001',
    ]);
    assert.ok(
      result.calls.some((call) =>
        call.includes(
          '--set backend.image.repository=localhost:5000/todo-backend --set backend.image.tag=nx-1001 --set backend.image.pullPolicy=IfNotPresent',
        ),
      ),
      result.calls.join('\n'),
    );
    // The addon stays enabled: the next deploy (a new backend) does not enable it again. Pushing the unchanged
    // frontend again sends no layer (the registry has them all).
    r.images({ backend: 'nx-1002' });
    const next = deploy(r, '--transport=registry');
    assert.equal(next.code, 0, next.output);
    assert.deepEqual(
      next.calls.filter((call) => /^docker push|addons enable/.test(call)),
      ['docker push 192.168.49.2:5000/todo-backend:nx-1002', 'docker push 192.168.49.2:5000/todo-frontend:nx-2001'],
    );
  });

  it('says "not enough memory" and what to do when Docker has less than the profile wants', () => {
    const m = world('memory', {
      dockerResources: { cpus: 8, memory: 4 * 1024 ** 3 },
    });
    m.images({ backend: 'nx-1001', frontend: 'nx-2001' });
    const result = deploy(m);
    assert.notEqual(result.code, 0);
    assert.match(result.output, /not enough memory: the profile wants 8192 MiB but Docker has 4096 MiB/);
    assert.match(result.output, /MINIKUBE_MEMORY=3072/);
    assert.equal(result.calls.filter((call) => call.includes(' start ')).length, 0);
  });

  it('says "image not found" when the apps were not built', () => {
    const n = world('noimages');
    const result = deploy(n);
    assert.notEqual(result.code, 0);
    assert.match(result.output, /no image has been built for backend/);
    assert.match(result.output, /image not found: .*npx nx run-many -t container/);
    assert.equal(result.calls.filter((call) => call.startsWith('helm')).length, 0);
  });

  for (const tool of TOOLS) {
    it(`without ${tool}: prints the advice and exits non-zero, running nothing`, () => {
      const t = world(`no-${tool}`, { without: [tool] });
      t.images({ backend: 'nx-1001', frontend: 'nx-2001' });
      const result = deploy(t);
      assert.notEqual(result.code, 0);
      assert.match(result.output, new RegExp(`✖ ${tool} is not installed: \\S+`));
      assert.match(result.output, new RegExp(`deploy: ${tool} missing; install it and run again`));
      assert.deepEqual(result.calls, []);
    });
  }
});

describe('graph', () => {
  const nx = (...args) => {
    const result = spawnSync(process.execPath, [nxBin, ...args], {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        NX_DAEMON: 'false',
        NX_TUI: 'false',
        NO_COLOR: '1',
      },
    });
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
    return result.stdout;
  };
  let apps;
  before(() => {
    const projects = JSON.parse(nx('show', 'projects', '--json'));
    apps = ['backend', 'frontend'].filter((app) => projects.includes(app));
  });

  it('deploy:minikube depends on the container target of every app', () => {
    assert.ok(apps.includes('backend'));
    const file = path.join(work, 'task-graph.json');
    nx('run', 'deploy:minikube', `--graph=${file}`);
    const { tasks } = JSON.parse(readFileSync(file, 'utf8'));
    for (const app of apps)
      assert.ok(tasks.dependencies['deploy:minikube'].includes(`${app}:container`), JSON.stringify(tasks.dependencies));
    if (!apps.includes('frontend'))
      console.log('# note: no frontend project in this workspace yet, only backend:container checked');
  });

  it('nx graph shows deploy depending on the apps', () => {
    const file = path.join(work, 'graph.json');
    nx('graph', `--file=${file}`);
    const { graph } = JSON.parse(readFileSync(file, 'utf8'));
    const targets = graph.dependencies.deploy.map((dep) => dep.target);
    for (const app of apps) assert.ok(targets.includes(app), JSON.stringify(graph.dependencies.deploy));
  });

  it('a frontend-only change leaves the backend image alone; a backend change does not', () => {
    const affected = (file) =>
      JSON.parse(nx('show', 'projects', '--affected', `--files=${file}`, '-t', 'container', '--json'));
    assert.ok(!affected('apps/frontend/Dockerfile').includes('backend'));
    assert.ok(affected('apps/backend/Dockerfile').includes('backend'));
    if (apps.includes('frontend')) assert.ok(affected('apps/frontend/Dockerfile').includes('frontend'));
  });
});
