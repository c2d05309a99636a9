import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { nxCommand } from '../../lib/nx-cli.ts';
import { minikubeDir, parseProfile } from '../../lib/profile.ts';
import runExecutor from './executor.ts';
import { frontendAccess, summarizeManifests } from './manifests.ts';
import type { HelmDeployExecutorSchema } from './schema.js';
import { imagePresent } from './steps/load.ts';
import { parseDeployments } from './steps/release/rollout.ts';
import { migrationsFixture } from './testing/fake-migrations.ts';
import { FakeRelease, FakeRunner, type Handler } from './testing/fake-runner.ts';
import { FakeImages, GRAPH } from './testing/fake-workspace.ts';

const workspaceRoot = path.resolve(__dirname, '../../../../..');

/** The apps' last container builds (nx-111, nx-222) and the Docker daemon that has them; fresh for each test. */
let images: FakeImages;
beforeEach(() => {
  images = new FakeImages();
});
/** What Nx gives the executor: the workspace root, the project it runs for and the project graph. */
const CONTEXT = { root: workspaceRoot, projectName: 'deploy', projectGraph: GRAPH };
const inspect = (app: string, tag: string) => `docker image inspect --format {{json .RepoTags}} sha256:${app}-${tag}`;
/** The images step asks Docker for both apps' recorded images at once. */
const INSPECT = `${inspect('backend', 'nx-111')} sha256:frontend-nx-222`;

const deploymentsJson = (
  generation: { backend: number; frontend: number },
  tags = { backend: 'nx-111', frontend: 'nx-222' },
) =>
  JSON.stringify({
    items: (['backend', 'frontend'] as const).map((app) => ({
      metadata: { name: `todo-stack-${app}`, generation: generation[app] },
      spec: {
        template: {
          spec: { containers: [{ image: `todo-${app}:${tags[app]}` }] },
        },
      },
    })),
  });

/** The frontend Service as the chart renders it with values-dev.yaml (environment=local: a NodePort). */
const MANIFEST = `---
apiVersion: v1
kind: Service
metadata:
  name: todo-stack-backend
  labels:
    app.kubernetes.io/component: backend
spec:
  ports:
    - name: http
      port: 3000
---
apiVersion: v1
kind: Service
metadata:
  name: todo-stack-frontend
  labels:
    app.kubernetes.io/component: frontend
spec:
  type: NodePort
  ports:
    - name: http
      port: 3000
      nodePort: 30080
`;

/** Answers of a healthy machine: images resolve, nothing loaded yet, the release does not exist yet. */
function healthy(
  extra: Record<string, Handler> = {},
  release = new FakeRelease('deployed', 'Succeeded', MANIFEST),
): Record<string, Handler> {
  return {
    ...release.handlers(),
    'helm get manifest': () => ({ stdout: MANIFEST }),
    ...images.handlers(workspaceRoot),
    'minikube -p todo-stack image ls': () => ({
      stdout: 'registry.k8s.io/pause:3.10\n',
    }),
    'minikube -p todo-stack ip': () => ({ stdout: '192.168.49.2\n' }),
    'kubectl --context todo-stack --namespace todo get deployments': () => ({
      code: 1,
      stderr: 'namespaces "todo" not found',
    }),
    ...extra,
  };
}

const MIGRATIONS = migrationsFixture();
const run = (runner: FakeRunner, options: HelmDeployExecutorSchema = {}) =>
  runExecutor({ migrationsDir: MIGRATIONS, ...options }, CONTEXT, runner, { IMAGE_REFS_CACHE_DIR: images.cacheDir });

/** The upgrade anywhere but on a running Minikube profile (a dry run, another context): no node address. */
const HELM_UPGRADE_NO_NODE =
  'helm upgrade --install todo-stack deploy/helm/todo-stack --namespace todo --create-namespace -f deploy/helm/todo-stack/values-dev.yaml ' +
  '--set backend.image.repository=todo-backend --set backend.image.tag=nx-111 --set frontend.image.repository=todo-frontend --set frontend.image.tag=nx-222 ' +
  '--labels todo-stack-deploy-fingerprint=FP,todo-stack-migrations=MK --wait --timeout 10m --kube-context todo-stack';
/** On Minikube the chart also gets the node's address, so the NodePort URL the report prints is a trusted origin. */
const HELM_UPGRADE = HELM_UPGRADE_NO_NODE.replace(
  ' --labels',
  ' --set frontend.service.nodeAddress=192.168.49.2 --labels',
);
const APPLY = 'kubectl --context todo-stack apply --server-side --force-conflicts --field-manager todo-stack-deploy -f';
const FRONT_DOOR = [
  `${APPLY} https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.3/standard-install.yaml`,
  'kubectl --context todo-stack wait --for=condition=Established --timeout=60s crd/gatewayclasses.gateway.networking.k8s.io crd/gateways.gateway.networking.k8s.io crd/httproutes.gateway.networking.k8s.io',
  expect.stringMatching(new RegExp(`^${APPLY} \\S+/todo-stack-front-door/traefik-[0-9a-f]{12}\\.yaml$`)),
  'kubectl --context todo-stack --namespace traefik rollout status deployment/traefik --timeout=10m',
];
const HELM_LIST =
  'helm list --namespace todo --kube-context todo-stack --filter ^todo-stack$ --all --selector todo-stack-deploy-fingerprint=FP --output json';
const HELM_LIST_MIGRATIONS = HELM_LIST.replace('todo-stack-deploy-fingerprint=FP', 'todo-stack-migrations=MK');
const HELM_TEST = 'helm test todo-stack --namespace todo --kube-context todo-stack --timeout 5m';
const HELM_STATUS = 'helm status todo-stack --namespace todo --kube-context todo-stack --output json';

describe('helm-deploy executor', () => {
  it('starts the profile, loads both images, installs, tests and prints the URL, in that order', async () => {
    const runner = new FakeRunner(healthy());
    await expect(run(runner)).resolves.toEqual({ success: true });
    expect(runner.calls).toEqual([
      'bash minikube/start.sh',
      'minikube -p todo-stack ip',
      INSPECT,
      // Read beside the fingerprint comparison: what an unchanged release's report needs (none here yet).
      HELM_STATUS,
      HELM_LIST,
      // Images before the front door: its image may be one of --extraImages, on a node that cannot pull it.
      'minikube -p todo-stack image ls',
      'minikube -p todo-stack image load todo-backend:nx-111',
      'minikube -p todo-stack image load todo-frontend:nx-222',
      ...FRONT_DOOR,
      'helm history todo-stack --namespace todo --kube-context todo-stack --output json',
      HELM_LIST_MIGRATIONS,
      'kubectl --context todo-stack --namespace todo get deployments -l app.kubernetes.io/instance=todo-stack -o json',
      HELM_UPGRADE,
      'kubectl --context todo-stack --namespace todo get deployments -l app.kubernetes.io/instance=todo-stack -o json',
      HELM_TEST,
      'helm get manifest todo-stack --namespace todo --kube-context todo-stack',
    ]);
    expect(runner.envs[0]).toEqual({ MINIKUBE_PROFILE: 'todo-stack' });
    expect(runner.output).toContain('http://todo.local/');
    expect(runner.output).toContain('echo "192.168.49.2 todo.local" | sudo tee -a /etc/hosts');
    expect(runner.output).toContain('http://192.168.49.2:30080/');
  });

  it('installs the front door before the release, and only on Minikube', async () => {
    const runner = new FakeRunner(healthy());
    await run(runner);
    const applied =
      runner.calls
        .find((call) => call.includes('todo-stack-front-door'))
        ?.split(' ')
        .at(-1) ?? '';
    const manifest = readFileSync(applied, 'utf8');
    expect(manifest).toContain('image: docker.io/library/traefik:v3.6');
    expect(manifest).toContain('--providers.kubernetesgateway.statusAddress.ip=192.168.49.2');
    expect(manifest).not.toMatch(/@[A-Z_]+@/);
    expect(runner.output).toContain('front door: Gateway API v1.6.3 CRDs and Traefik (docker.io/library/traefik:v3.6)');
    const other = new FakeRunner(healthy(), ['docker', 'helm', 'kubectl']);
    await run(other, { kubeContext: 'ci' });
    expect(other.calls.filter((call) => call.includes(' apply '))).toEqual([]);
    const off = new FakeRunner(healthy());
    await run(off, { frontDoor: false });
    expect(off.calls.filter((call) => call.includes(' apply '))).toEqual([]);
  });

  it('stops before the release when the Gateway API CRDs cannot be applied, and says what to do', async () => {
    const runner = new FakeRunner(
      healthy({ 'kubectl --context todo-stack apply': () => ({ code: 1, stderr: 'dial tcp: lookup github.com' }) }),
    );
    await expect(run(runner)).resolves.toEqual({ success: false });
    expect(runner.calls.some((call) => call.startsWith('helm upgrade'))).toBe(false);
    expect(runner.output).toContain('the Gateway API CRDs could not be applied from https://github.com/');
    expect(runner.output).toContain('GATEWAY_API_CRDS in minikube/profile.env');
  });

  it('stops before the release when Traefik does not get ready, naming the old ingress addon as a cause', async () => {
    const runner = new FakeRunner(
      healthy({ 'kubectl --context todo-stack --namespace traefik rollout status': () => ({ code: 1 }) }),
    );
    await expect(run(runner)).resolves.toEqual({ success: false });
    expect(runner.calls.some((call) => call.startsWith('helm upgrade'))).toBe(false);
    expect(runner.output).toContain('Traefik did not become ready within 10m');
    expect(runner.output).toContain('minikube -p todo-stack addons disable ingress');
  });

  it("prints the frontend's Service and NodePort as the deployed release has them", async () => {
    const manifest = MANIFEST.replace('30080', '31999').replace(/todo-stack-frontend/, 'shop-frontend');
    const minikube = new FakeRunner(healthy({ 'helm get manifest': () => ({ stdout: manifest }) }));
    await run(minikube);
    expect(minikube.output).toContain('http://192.168.49.2:31999/');
    const current = new FakeRunner(
      healthy({
        'kubectl config current-context': () => ({ stdout: 'kind-todo\n' }),
        'helm get manifest': () => ({ stdout: manifest }),
      }),
      ['docker', 'helm', 'kubectl'],
    );
    await run(current, { kubeContext: 'current' });
    expect(current.output).toContain('port-forward svc/shop-frontend 8080:3000');
    expect(current.output).toContain('port 31999 of any node');
  });

  it('does not load images the cluster already has', async () => {
    const runner = new FakeRunner(
      healthy({
        'minikube -p todo-stack image ls': () => ({
          stdout: 'docker.io/library/todo-backend:nx-111\ndocker.io/library/todo-frontend:nx-222\n',
        }),
      }),
    );
    await expect(run(runner)).resolves.toEqual({ success: true });
    expect(runner.calls.filter((call) => call.includes('image load'))).toEqual([]);
    expect(runner.output).toContain('todo-backend:nx-111: already in the cluster');
  });

  it('loads extraImages after the apps, skipping those already there', async () => {
    const runner = new FakeRunner(
      healthy({
        'minikube -p todo-stack image ls': () => ({
          stdout: 'docker.io/library/busybox:1.37\n',
        }),
      }),
    );
    await run(runner, { extraImages: ['postgres:17.6', 'busybox:1.37'] });
    expect(runner.calls.filter((call) => call.includes('image load'))).toEqual([
      'minikube -p todo-stack image load todo-backend:nx-111',
      'minikube -p todo-stack image load todo-frontend:nx-222',
      'minikube -p todo-stack image load postgres:17.6',
    ]);
  });

  it('loads only the image whose tag changed', async () => {
    const runner = new FakeRunner(
      healthy({
        'minikube -p todo-stack image ls': () => ({
          stdout: 'docker.io/library/todo-backend:nx-111\ndocker.io/library/todo-frontend:nx-000\n',
        }),
      }),
    );
    await run(runner);
    expect(runner.calls.filter((call) => call.includes('image load'))).toEqual([
      'minikube -p todo-stack image load todo-frontend:nx-222',
    ]);
  });

  it('reports no rollout when the Deployments keep their generation, and a rollout when one changes', async () => {
    let upgraded = false;
    const runner = new FakeRunner(
      healthy({
        'kubectl --context todo-stack --namespace todo get deployments': () => ({
          stdout: deploymentsJson({ backend: 3, frontend: upgraded ? 5 : 4 }),
        }),
        'helm upgrade': () => {
          upgraded = true;
          return {};
        },
      }),
    );
    await expect(run(runner)).resolves.toEqual({ success: true });
    expect(runner.output).toContain('todo-stack-backend: unchanged, no rollout (generation 3)');
    expect(runner.output).toContain('todo-stack-frontend: rolled out (generation 4 → 5: todo-frontend:nx-222)');
  });

  it('passes options through: profile, namespace, release, values files, extra --set, timeout', async () => {
    const runner = new FakeRunner(
      healthy({
        'minikube -p dev image ls': () => ({ stdout: '' }),
        'minikube -p dev ip': () => ({ stdout: '10.0.0.9' }),
      }),
    );
    await run(runner, {
      profile: 'dev',
      namespace: 'qa',
      release: 'todo',
      valuesFiles: ['deploy/helm/todo-stack/values-dev.yaml', 'my.yaml'],
      set: ['backend.replicas=1'],
      timeout: '3m',
    });
    expect(runner.envs[0]).toEqual({ MINIKUBE_PROFILE: 'dev' });
    expect(runner.calls).toContain(
      'helm upgrade --install todo deploy/helm/todo-stack --namespace qa --create-namespace -f deploy/helm/todo-stack/values-dev.yaml -f my.yaml ' +
        '--set backend.image.repository=todo-backend --set backend.image.tag=nx-111 --set frontend.image.repository=todo-frontend --set frontend.image.tag=nx-222 ' +
        '--set frontend.service.nodeAddress=10.0.0.9 --set backend.replicas=1 --labels todo-stack-deploy-fingerprint=FP,todo-stack-migrations=MK --wait --timeout 3m --kube-context dev',
    );
    expect(runner.calls).toContain('helm test todo --namespace qa --kube-context dev --timeout 5m');
  });

  it('accepts a single --set or --valuesFiles as a string (how Nx passes an array option given once)', async () => {
    const runner = new FakeRunner(healthy());
    await run(runner, {
      set: 'backend.replicas=3' as unknown as string[],
      valuesFiles: 'other.yaml' as unknown as string[],
    });
    expect(runner.calls.find((call) => call.startsWith('helm upgrade'))).toContain(
      ' -f other.yaml --set backend.image.repository',
    );
    expect(runner.calls.find((call) => call.startsWith('helm upgrade'))).toContain('--set backend.replicas=3 --labels');
  });

  it.each(['minikube', 'docker', 'helm', 'kubectl'])('stops with advice when %s is missing', async (tool) => {
    const runner = new FakeRunner(
      healthy(),
      ['minikube', 'docker', 'helm', 'kubectl'].filter((t) => t !== tool),
    );
    await expect(run(runner)).resolves.toEqual({ success: false });
    expect(runner.calls).toEqual([]);
    expect(runner.err[0]).toMatch(new RegExp(`^✖ ${tool} is not installed: .*(https?://|brew)`));
    expect(runner.err.join('\n')).toContain(`deploy: ${tool} missing`);
  });

  it('lists every missing tool at once', async () => {
    const runner = new FakeRunner(healthy(), ['docker']);
    await expect(run(runner)).resolves.toEqual({ success: false });
    expect(runner.err.filter((line) => line.includes(' is not installed: '))).toHaveLength(3);
    expect(runner.err.join('\n')).toContain('deploy: minikube, helm, kubectl missing; install them');
  });

  it('stops when the profile cannot start (start.sh explains memory and the like)', async () => {
    const runner = new FakeRunner(healthy({ 'bash minikube/start.sh': () => ({ code: 1 }) }));
    await expect(run(runner)).resolves.toEqual({ success: false });
    expect(runner.calls).toEqual(['bash minikube/start.sh']);
    expect(runner.err.join('\n')).toMatch(
      /profile todo-stack is not running and could not be started.*docs\/troubleshooting.md/,
    );
  });

  it('says "image not found" and how to build when the images are missing', async () => {
    rmSync(path.join(images.cacheDir, 'frontend'), { recursive: true });
    const runner = new FakeRunner(healthy());
    await expect(run(runner)).resolves.toEqual({ success: false });
    expect(runner.err.join('\n')).toContain('no image has been built for frontend');
    expect(runner.err.join('\n')).toMatch(/image not found: .*npx nx run-many -t container/);
    expect(runner.calls.some((call) => call.startsWith('helm'))).toBe(false);
  });

  describe('an image the Nx cache records but Docker no longer has (pruned, another daemon)', () => {
    const nx = nxCommand(workspaceRoot);
    const REBUILD_BACKEND = [
      nx.command,
      ...nx.args,
      'run-many',
      '--targets=container',
      '--projects=backend',
      '--outputStyle=static-failures-only',
      '--skip-nx-cache',
    ].join(' ');
    /** The backend's image left Docker (the Nx cache still names it) until the rebuild ran. */
    function staleBackend(rebuild: Handler = () => ({})) {
      images.prune('backend');
      return healthy({
        [REBUILD_BACKEND]: (args, options) => {
          const answer = rebuild(args, options);
          if (!answer?.code) images.build('backend');
          return answer;
        },
      });
    }

    it('rebuilds that app only, bypassing the cache, and deploys', async () => {
      const runner = new FakeRunner(staleBackend());
      await expect(run(runner)).resolves.toEqual({ success: true });
      // Docker lacks one of them: each is asked alone, which says which one to rebuild.
      expect(runner.calls.slice(2, 7)).toEqual([
        INSPECT,
        inspect('backend', 'nx-111'),
        inspect('frontend', 'nx-222'),
        REBUILD_BACKEND,
        inspect('backend', 'nx-111'),
      ]);
      expect(runner.calls).toContain(HELM_UPGRADE);
      expect(runner.err.join('\n')).toContain('recorded by the Nx cache is not in this Docker daemon');
      expect(runner.out.join('\n')).toContain('rebuilding the backend image');
    });

    it('stops with the build named when the rebuild fails', async () => {
      const runner = new FakeRunner(staleBackend(() => ({ code: 1 })));
      await expect(run(runner)).resolves.toEqual({ success: false });
      expect(runner.err.join('\n')).toMatch(/the backend image build failed \(nx run-many .*--skip-nx-cache;/);
      expect(runner.calls.some((call) => call.startsWith('helm upgrade'))).toBe(false);
    });
  });

  it('points at the pods and the troubleshooting guide when helm upgrade fails', async () => {
    const runner = new FakeRunner(healthy({ 'helm upgrade': () => ({ code: 1 }) }));
    await expect(run(runner)).resolves.toEqual({ success: false });
    expect(runner.err.join('\n')).toMatch(
      /helm upgrade failed or the release did not get ready within 10m.*docs\/troubleshooting.md/,
    );
    expect(runner.calls.some((call) => call.startsWith('helm test'))).toBe(false);
  });

  it('fails when helm test fails', async () => {
    const runner = new FakeRunner(healthy({ 'helm test': () => ({ code: 1 }) }));
    await expect(run(runner)).resolves.toEqual({ success: false });
    expect(runner.err.join('\n')).toContain('helm test failed');
  });

  it('skips helm test with helmTest=false', async () => {
    const runner = new FakeRunner(healthy());
    await run(runner, { helmTest: false });
    expect(runner.calls.some((call) => call.startsWith('helm test'))).toBe(false);
  });

  it('dry run: starts, loads and installs nothing, renders with helm template', async () => {
    const rendered = [
      'kind: Deployment\nmetadata:\n  name: todo-stack-backend\nspec:\n  template:\n    spec:\n      containers:\n        - image: "todo-backend:nx-111"',
      'kind: Service\nmetadata:\n  name: todo-stack-backend',
    ].join('\n---\n');
    const runner = new FakeRunner(healthy({ 'helm template': () => ({ stdout: rendered }) }));
    await expect(run(runner, { dryRun: true })).resolves.toEqual({
      success: true,
    });
    expect(runner.calls).toEqual([
      INSPECT,
      'minikube -p todo-stack image ls',
      'helm template todo-stack deploy/helm/todo-stack --namespace todo -f deploy/helm/todo-stack/values-dev.yaml ' +
        '--set backend.image.repository=todo-backend --set backend.image.tag=nx-111 --set frontend.image.repository=todo-frontend --set frontend.image.tag=nx-222',
    ]);
    expect(runner.output).toContain('[dry-run] bash minikube/start.sh');
    expect(runner.output).toContain('[dry-run] minikube -p todo-stack image load todo-backend:nx-111');
    const printed = runner.output
      .replace(/(deploy-fingerprint=)[0-9a-f]{48}/, '$1FP')
      .replace(/(todo-stack-migrations=)[0-9a-f]{48}/, '$1MK');
    expect(printed).toContain(`[dry-run] ${HELM_UPGRADE_NO_NODE}`);
    expect(runner.output).toContain('[dry-run] helm test todo-stack');
    expect(runner.output).toContain('renders 2 resources: Deployment/todo-stack-backend, Service/todo-stack-backend');
  });

  it('dry run fails when the chart does not render', async () => {
    const runner = new FakeRunner(
      healthy({
        'helm template': () => ({
          code: 1,
          stderr: "Error: values don't meet the specifications of the schema",
        }),
      }),
    );
    await expect(run(runner, { dryRun: true })).resolves.toEqual({
      success: false,
    });
    expect(runner.err.join('\n')).toContain('helm template failed');
  });

  it('skipBuild: deploys the last tags without loading anything', async () => {
    const runner = new FakeRunner(healthy());
    await expect(run(runner, { skipBuild: true })).resolves.toEqual({
      success: true,
    });
    expect(runner.calls.some((call) => /^minikube .* image /.test(call))).toBe(false);
    expect(runner.calls).toContain(HELM_UPGRADE);
  });

  describe('kubeContext', () => {
    const contextHandlers = (context: string) =>
      healthy({
        'kubectl config current-context': () => ({ stdout: `${context}\n` }),
        [`kubectl --context ${context} --namespace todo get deployments`]: () => ({ stdout: '{"items":[]}' }),
      });

    it('"current" deploys to the current context without minikube (which need not be installed)', async () => {
      const runner = new FakeRunner(contextHandlers('kind-todo'), ['docker', 'helm', 'kubectl']);
      await expect(run(runner, { kubeContext: 'current' })).resolves.toEqual({
        success: true,
      });
      expect(runner.calls.some((call) => call.includes('minikube'))).toBe(false);
      expect(runner.calls[0]).toBe('kubectl config current-context');
      expect(runner.calls).toContain(
        HELM_UPGRADE_NO_NODE.replace('--kube-context todo-stack', '--kube-context kind-todo'),
      );
      expect(runner.output).toContain('port-forward svc/todo-stack-frontend 8080:3000');
    });

    it('a named context is used as given, with the load command per image', async () => {
      const runner = new FakeRunner(contextHandlers('ci'), ['docker', 'helm', 'kubectl']);
      await run(runner, {
        kubeContext: 'ci',
        loadCommand: 'tools/test-cluster/load-image.sh {ref}',
      });
      expect(runner.calls.slice(0, 5)).toEqual([
        INSPECT,
        HELM_STATUS.replace('--kube-context todo-stack', '--kube-context ci'),
        HELM_LIST.replace('--kube-context todo-stack', '--kube-context ci'),
        'sh -c tools/test-cluster/load-image.sh todo-backend:nx-111',
        'sh -c tools/test-cluster/load-image.sh todo-frontend:nx-222',
      ]);
    });

    it('fails with advice when there is no current context', async () => {
      const runner = new FakeRunner(
        healthy({
          'kubectl config current-context': () => ({
            code: 1,
            stderr: 'error: current-context is not set',
          }),
        }),
        ['docker', 'helm', 'kubectl'],
      );
      await expect(run(runner, { kubeContext: 'current' })).resolves.toEqual({
        success: false,
      });
      expect(runner.err.join('\n')).toMatch(/no current kube context.*current-context is not set.*use-context/);
    });
  });

  it('reports a broken profile.env instead of throwing', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'nx-plugin-'));
    mkdirSync(path.join(root, 'minikube'));
    writeFileSync(path.join(root, 'minikube/profile.env'), 'MINIKUBE_PROFILE=x\n');
    const runner = new FakeRunner(healthy());
    await expect(runExecutor({}, { root }, runner)).resolves.toEqual({
      success: false,
    });
    expect(runner.err.join('\n')).toContain('does not set MINIKUBE_DRIVER');
  });
});

describe('no-op re-run (release fingerprint)', () => {
  const upgrades = (runner: FakeRunner) => runner.calls.filter((call) => call.startsWith('helm upgrade'));
  /** Deploys once with `first`, then again with `second` through the same release; returns the second runner. */
  async function twice(
    first: HelmDeployExecutorSchema,
    second: HelmDeployExecutorSchema,
    { release = new FakeRelease('deployed', 'Succeeded', MANIFEST), builds = {} as Record<string, string> } = {},
  ) {
    await run(new FakeRunner(healthy({}, release)), first);
    for (const [app, tag] of Object.entries(builds)) images.build(app, tag);
    const again = new FakeRunner(healthy({}, release));
    await expect(run(again, second)).resolves.toEqual({ success: true });
    return again;
  }

  it('same inputs: no load, no upgrade, no helm test, and says so', async () => {
    const again = await twice({}, {});
    expect(upgrades(again)).toEqual([]);
    expect(again.calls.some((call) => call.startsWith('helm test') || call.includes('image load'))).toBe(false);
    expect(again.output).toMatch(/unchanged: release todo-stack .*nothing deployed \(--force deploys anyway\)/);
  });

  it('--verbose (NX_VERBOSE_LOGGING) ends with where the run spent its time, phase by phase', async () => {
    const release = new FakeRelease('deployed', 'Succeeded', MANIFEST);
    await run(new FakeRunner(healthy({}, release)));
    const quiet = new FakeRunner(healthy({}, release));
    await run(quiet);
    expect(quiet.output).not.toContain('⏱');
    const verbose = new FakeRunner(healthy({}, release));
    await runExecutor({ migrationsDir: MIGRATIONS }, CONTEXT, verbose, {
      IMAGE_REFS_CACHE_DIR: images.cacheDir,
      NX_VERBOSE_LOGGING: 'true',
    });
    expect(verbose.output).toMatch(
      /⏱ start \d+\.\d\ds · graph \d+\.\d\ds · .*cluster .*images .*helm status .*release fingerprint .*report \d+\.\d\ds │ executor \d+\.\d\ds/,
    );
  });

  it('reads the release once: one helm status gives the last test and the report its frontend Service', async () => {
    const again = await twice({}, {});
    expect(again.calls).toEqual([
      'bash minikube/start.sh',
      'minikube -p todo-stack ip',
      INSPECT,
      HELM_STATUS,
      HELM_LIST,
    ]);
    expect(again.output).toContain('http://192.168.49.2:30080/');
  });

  it.each<[string, HelmDeployExecutorSchema]>([
    ['a --set pair', { set: ['backend.replicas=2'] }],
    [
      'a values file',
      { valuesFiles: ['deploy/helm/todo-stack/values-dev.yaml', 'deploy/helm/todo-stack/values.yaml'] },
    ],
    ['an extra image', { extraImages: ['postgres:17.6'] }],
    ['the namespace', { namespace: 'other' }],
  ])('%s changed: upgrade', async (_, changed) => {
    expect(upgrades(await twice({}, changed))).toHaveLength(1);
  });

  it('a new image tag (a source change): upgrade', async () => {
    expect(upgrades(await twice({}, {}, { builds: { frontend: 'nx-333' } }))[0]).toContain(
      '--set frontend.image.tag=nx-333',
    );
  });

  it.each(['failed', 'pending-upgrade', 'pending-install'])('the last revision is %s: upgrade', async (status) => {
    const again = await twice({}, {}, { release: new FakeRelease(status) });
    expect(upgrades(again)).toHaveLength(1);
    expect(again.output).toContain(`has these inputs but is ${status}: deploying again`);
  });

  it('same inputs but the last helm test failed: helm test again, no upgrade', async () => {
    const again = await twice({}, {}, { release: new FakeRelease('deployed', 'Failed') });
    expect(upgrades(again)).toEqual([]);
    expect(again.calls).toContain(HELM_TEST);
    expect(again.output).toContain('its last helm test did not pass: testing again');
  });

  it('after a failed revision: rolls back to the last good one, then upgrades', async () => {
    const runner = new FakeRunner(
      healthy({
        'helm history': () => ({
          stdout: JSON.stringify([
            { revision: 1, status: 'superseded' },
            { revision: 2, status: 'deployed' },
            { revision: 3, status: 'failed' },
          ]),
        }),
      }),
    );
    await expect(run(runner)).resolves.toEqual({ success: true });
    const rollback = runner.calls.indexOf(
      'helm rollback todo-stack 2 --namespace todo --kube-context todo-stack --wait --timeout 10m',
    );
    expect(rollback).toBeGreaterThan(-1);
    expect(runner.calls.indexOf(HELM_UPGRADE)).toBeGreaterThan(rollback);
  });

  it('--force: upgrade and helm test although nothing changed', async () => {
    const again = await twice({}, { force: true });
    expect(upgrades(again)).toHaveLength(1);
    expect(again.calls.some((call) => call.startsWith('helm test'))).toBe(true);
    expect(again.calls.some((call) => call.startsWith('helm list'))).toBe(false);
  });
});

describe('a running Minikube profile: one /readyz through its context, no start.sh', () => {
  const STATUS = 'kubectl --context todo-stack get --raw /readyz --request-timeout=3s';
  let home: string;
  /** minikube's saved config of the profile (profiles/<name>/config.json under MINIKUBE_HOME/.minikube). */
  const saveConfig = (addons: Record<string, boolean>, ip = '192.168.58.2') => {
    const dir = path.join(home, '.minikube', 'profiles', 'todo-stack');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'config.json'),
      JSON.stringify({ Name: 'todo-stack', Addons: addons, Nodes: [{ Name: '', IP: ip, ControlPlane: true }] }),
    );
  };
  const status = (answer: string, code = 0) => ({ [STATUS]: () => ({ stdout: answer, code }) });
  const runIn = (runner: FakeRunner) =>
    runExecutor({ migrationsDir: MIGRATIONS }, CONTEXT, runner, {
      IMAGE_REFS_CACHE_DIR: images.cacheDir,
      MINIKUBE_HOME: home,
    });
  beforeEach(() => {
    home = mkdtempSync(path.join(tmpdir(), 'minikube-home-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('running with every addon of profile.env: the node address from its config, no start.sh or minikube ip', async () => {
    saveConfig({ 'metrics-server': true, 'storage-provisioner': true });
    const runner = new FakeRunner(healthy(status('ok')));
    await expect(runIn(runner)).resolves.toEqual({ success: true });
    expect(runner.calls.slice(0, 2)).toEqual([STATUS, INSPECT]);
    expect(runner.calls.some((call) => call.includes('start.sh') || call.endsWith(' ip'))).toBe(false);
    expect(runner.calls).toContain(HELM_UPGRADE.replace('nodeAddress=192.168.49.2', 'nodeAddress=192.168.58.2'));
    expect(runner.output).toContain('running, with its addons (metrics-server): reusing it');
  });

  it.each<[string, () => void, Record<string, Handler>]>([
    [
      'an addon of profile.env is not enabled',
      () => saveConfig({ 'metrics-server': false }),
      status('ok'),
    ],
    ['there is no saved config', () => undefined, status('ok')],
    [
      'the profile is stopped',
      () => saveConfig({ 'metrics-server': true }),
      status('', 1), // kubectl: "Unable to connect to the server: dial tcp 192.168.49.2:8443: connect: no route to host"
    ],
  ])('%s: start.sh and minikube ip, as on a first start', async (_, setUp, answers) => {
    setUp();
    const runner = new FakeRunner(healthy(answers));
    await expect(runIn(runner)).resolves.toEqual({ success: true });
    expect(
      runner.calls.filter((call) => call.startsWith('bash') || call.startsWith('minikube -p todo-stack ip')),
    ).toEqual(['bash minikube/start.sh', 'minikube -p todo-stack ip']);
  });

  it("minikube's own rule for MINIKUBE_HOME: a directory named .minikube is used as it is", () => {
    expect(minikubeDir({ MINIKUBE_HOME: '/data/.minikube', HOME: '/root' })).toBe('/data/.minikube');
    expect(minikubeDir({ MINIKUBE_HOME: '/data', HOME: '/root' })).toBe('/data/.minikube');
    expect(minikubeDir({ HOME: '/root' })).toBe('/root/.minikube');
    expect(minikubeDir({})).toBeUndefined();
  });
});

describe("migrations: the chart's hook Job runs when there is something to migrate", () => {
  const SKIP = '--set backend.migrations.runOnUpgrade=false';

  /** Deploys `first`, then a new backend tag with `second` (and its changes to the world) through one release. */
  async function twice(
    second: HelmDeployExecutorSchema & { migrationsDir?: string } = {},
    { release = new FakeRelease(), first = {} as HelmDeployExecutorSchema, between = (): void => undefined } = {},
  ) {
    await run(new FakeRunner(healthy({}, release)), first);
    between();
    images.build('backend', 'nx-112');
    const again = new FakeRunner(healthy({}, release));
    await expect(run(again, second)).resolves.toEqual({ success: true });
    const upgrade = again.calls.find((call) => call.startsWith('helm upgrade')) ?? '';
    return { again, upgrade, release };
  }

  it('a first install migrates and labels its revision with the migrations key', async () => {
    const release = new FakeRelease();
    const runner = new FakeRunner(healthy({}, release));
    await run(runner);
    expect(runner.calls.find((call) => call.startsWith('helm upgrade'))).not.toContain(SKIP);
    expect(release.labels['todo-stack-migrations']).toMatch(/^[0-9a-f]{48}$/);
    expect(runner.output).toContain("changed since the deployed revision (or a first install): the chart's Job runs");
  });

  it('a new image with the same migrations, chart and values: the upgrade leaves the Job out', async () => {
    const { again, upgrade } = await twice();
    expect(upgrade).toContain(`--set backend.image.tag=nx-112 --set frontend.image.repository=todo-frontend`);
    expect(upgrade).toContain(SKIP);
    expect(again.output).toContain(
      "as in deployed revision 1 (same migrations, chart, values and --set pairs): the chart's Job is left out",
    );
  });

  it("the user's --set pairs come after the skip, so they win", async () => {
    const { upgrade } = await twice(
      { set: ['backend.migrations.runOnUpgrade=true'] },
      { first: { set: ['backend.migrations.runOnUpgrade=true'] } },
    );
    expect(upgrade).toMatch(/runOnUpgrade=false .*runOnUpgrade=true/);
  });

  it('a migration added since the deployed revision: the Job runs', async () => {
    const migrationsDir = migrationsFixture();
    const { upgrade } = await twice(
      { migrationsDir },
      {
        first: { migrationsDir },
        between: () =>
          writeFileSync(path.join(migrationsDir, '0001_tags.sql'), 'ALTER TABLE "todos" ADD "tag" text;\n'),
      },
    );
    expect(upgrade).not.toContain(SKIP);
  });

  it('a migration edited since the deployed revision: the Job runs', async () => {
    const migrationsDir = migrationsFixture();
    const { upgrade } = await twice(
      { migrationsDir },
      {
        first: { migrationsDir },
        between: () => writeFileSync(path.join(migrationsDir, '0000_initial.sql'), '-- edited\n', { flag: 'a' }),
      },
    );
    expect(upgrade).not.toContain(SKIP);
  });

  it.each<[string, HelmDeployExecutorSchema]>([
    ['a --set pair (another database, say)', { set: ['externalDatabase.url=postgres://db.example/todo'] }],
    ['a values file', { valuesFiles: ['deploy/helm/todo-stack/values-prod.yaml'] }],
    ['the namespace', { namespace: 'other' }],
  ])('%s changed: the Job runs', async (_, changed) => {
    expect((await twice(changed)).upgrade).not.toContain(SKIP);
  });

  it.each(['failed', 'pending-upgrade'])('the latest revision is %s: the Job runs', async (status) => {
    const { again, upgrade } = await twice({}, { release: new FakeRelease(status) });
    expect(upgrade).not.toContain(SKIP);
    expect(again.output).toContain(`has these migrations but is ${status}: the chart's Job runs`);
  });

  it('--force runs the Job', async () => {
    expect((await twice({ force: true })).upgrade).not.toContain(SKIP);
  });

  it('a --set pair that chooses the backend image: the Job runs and the revision carries no key', async () => {
    const { again, upgrade, release } = await twice(
      { set: ['backend.image.tag=v2'] },
      { first: { set: ['backend.image.tag=v2'] } },
    );
    expect(upgrade).not.toContain(SKIP);
    expect(release.labels['todo-stack-migrations']).toBeUndefined();
    expect(again.output).toContain("the chart's Job runs (--set backend.image.tag=v2 chooses the backend image)");
  });

  it('without the migrations (no build output, or migrationsDir empty) every upgrade runs the Job', async () => {
    const missing = path.join(MIGRATIONS, 'absent');
    expect((await twice({ migrationsDir: missing }, { first: { migrationsDir: missing } })).upgrade).not.toContain(
      SKIP,
    );
    const { upgrade, again } = await twice({ migrationsDir: '' }, { first: { migrationsDir: '' } });
    expect(upgrade).not.toContain(SKIP);
    expect(upgrade).not.toContain('todo-stack-migrations=');
    expect(again.calls.some((call) => call.includes('--selector todo-stack-migrations'))).toBe(false);
  });
});

describe('dry run without the tools', () => {
  it('previews without minikube, warning what a real deploy needs', async () => {
    const runner = new FakeRunner(healthy({ 'helm template': () => ({ stdout: MANIFEST }) }), [
      'docker',
      'helm',
      'kubectl',
    ]);
    await expect(run(runner, { dryRun: true })).resolves.toEqual({ success: true });
    expect(runner.err.join('\n')).toMatch(/⚠ minikube is not installed: .*minikube.sigs.k8s.io/);
    expect(runner.err.join('\n')).toContain('⚠ dry run: minikube missing; previewing anyway');
    expect(runner.output).toContain('renders 2 resources: Service/todo-stack-backend, Service/todo-stack-frontend');
    expect(runner.calls.some((call) => call.startsWith('minikube'))).toBe(false);
  });

  it('without helm it still prints the commands, and says it cannot render', async () => {
    const runner = new FakeRunner(healthy(), ['docker', 'kubectl']);
    await expect(run(runner, { dryRun: true })).resolves.toEqual({ success: true });
    expect(runner.output).toContain('[dry-run] helm upgrade --install todo-stack');
    expect(runner.err.join('\n')).toContain('helm is missing: cannot render the chart');
    expect(runner.calls.some((call) => call.startsWith('helm'))).toBe(false);
  });
});

describe('helpers', () => {
  it('imagePresent matches the names minikube image ls prints', () => {
    expect(imagePresent('docker.io/library/todo-backend:nx-1\n', 'todo-backend:nx-1')).toBe(true);
    expect(imagePresent('todo-backend:nx-1\n', 'todo-backend:nx-1')).toBe(true);
    expect(imagePresent('docker.io/library/todo-backend:nx-12\n', 'todo-backend:nx-1')).toBe(false);
  });

  it('parseDeployments reads generation and images', () => {
    expect(parseDeployments(deploymentsJson({ backend: 1, frontend: 2 })).get('todo-stack-frontend')).toEqual({
      generation: 2,
      images: ['todo-frontend:nx-222'],
    });
  });

  it('summarizeManifests lists kinds, names and images', () => {
    expect(
      summarizeManifests(
        '---\nkind: ConfigMap\nmetadata:\n  labels:\n    a: b\n  name: cm\n---\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - image: x:1\n',
      ),
    ).toEqual({
      resources: ['ConfigMap/cm', 'Pod/p'],
      images: ['x:1'],
    });
  });

  it('frontendAccess finds the frontend Service by its component label, not by a naming rule', () => {
    expect(frontendAccess(MANIFEST)).toEqual({ service: 'todo-stack-frontend', port: 3000, nodePort: 30080 });
    expect(
      frontendAccess(
        MANIFEST.replace(/todo-stack-frontend/g, 'prod-todo-stack-frontend').replace(/\s+nodePort: 30080/, ''),
      ),
    ).toEqual({
      service: 'prod-todo-stack-frontend',
      port: 3000,
      nodePort: undefined,
    });
    expect(frontendAccess('kind: ConfigMap\nmetadata:\n  name: x\n')).toBeUndefined();
  });
});

describe('minikube/profile.env', () => {
  const profile = parseProfile(readFileSync(path.join(workspaceRoot, 'minikube/profile.env'), 'utf8'));

  it('has the spec sizing: docker driver, 4 CPUs, 8 GiB, metrics-server; no retired ingress-nginx addon', () => {
    expect(profile).toMatchObject({
      MINIKUBE_PROFILE: 'todo-stack',
      MINIKUBE_DRIVER: 'docker',
      MINIKUBE_CPUS: '4',
      MINIKUBE_MEMORY: '8192',
    });
    expect(profile.MINIKUBE_ADDONS.split(',').sort()).toEqual(['metrics-server']);
  });

  it('pins the Gateway API release and defaults to its manifest and the official Traefik image', () => {
    expect(profile.GATEWAY_API_VERSION).toMatch(/^v\d+\.\d+\.\d+$/);
    expect(profile.GATEWAY_API_CRDS).toBe('');
    expect(profile.TRAEFIK_IMAGE).toMatch(/^docker\.io\/library\/traefik:v3\.\d+$/);
  });

  it('runs the Kubernetes minor the chart is validated against (tools/helm/versions.env)', () => {
    const versions = readFileSync(path.join(workspaceRoot, 'tools/helm/versions.env'), 'utf8');
    const minor = (version = '') => version.split('.').slice(0, 2).join('.');
    expect(minor(profile.MINIKUBE_KUBERNETES_VERSION)).toBe(minor(/^KUBERNETES_VERSION=(\S+)/m.exec(versions)?.[1]));
  });

  it("runs the test cluster's Kubernetes build, which CI's Minikube node runs (tools/minikube-node)", () => {
    // minikube requires the API server to report exactly --kubernetes-version: one build serves both clusters.
    const testCluster = readFileSync(path.join(workspaceRoot, 'tools/test-cluster/versions.sh'), 'utf8');
    expect(profile.MINIKUBE_KUBERNETES_VERSION).toBe(/^K8S_VERSION=(\S+)/m.exec(testCluster)?.[1]);
  });

  it('lets the environment override a value, as minikube/lib.sh does', () => {
    expect(
      parseProfile(
        'MINIKUBE_PROFILE=a\nMINIKUBE_DRIVER=docker\nMINIKUBE_CPUS=4\nMINIKUBE_MEMORY=8192\nMINIKUBE_KUBERNETES_VERSION=v1\nMINIKUBE_ADDONS=metrics-server\nGATEWAY_API_VERSION=v1.6.3',
        { MINIKUBE_MEMORY: '4096' },
      ).MINIKUBE_MEMORY,
    ).toBe('4096');
  });
});
