import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { CommandResult, RunOptions, Runner } from '../../lib/runner';
import { parseProfile } from '../../lib/profile';
import { frontendService, imagePresent, parseDeployments, summarizeManifests } from './deploy';
import runExecutor from './executor';
import type { MinikubeExecutorSchema } from './schema';

const workspaceRoot = path.resolve(__dirname, '../../../../..');

const REFS = {
  backend: {
    image: 'todo-backend',
    tag: 'nx-111',
    ref: 'todo-backend:nx-111',
    id: 'sha256:b',
  },
  frontend: {
    image: 'todo-frontend',
    tag: 'nx-222',
    ref: 'todo-frontend:nx-222',
    id: 'sha256:f',
  },
};

type Handler = (args: string[], options: RunOptions) => Partial<CommandResult> | undefined;

/** A runner that records every command and answers from `handlers` (first matching prefix wins). */
class FakeRunner implements Runner {
  calls: string[] = [];
  envs: (Record<string, string> | undefined)[] = [];
  out: string[] = [];
  err: string[] = [];
  constructor(
    private readonly handlers: Record<string, Handler> = {},
    private readonly installed = ['minikube', 'docker', 'helm', 'kubectl'],
  ) {}
  async run(command: string, args: string[], options: RunOptions = {}): Promise<CommandResult> {
    const line = [command, ...args].join(' ');
    this.calls.push(line);
    this.envs.push(options.env);
    const key = Object.keys(this.handlers)
      .filter((prefix) => line.startsWith(prefix))
      .sort((a, b) => b.length - a.length)[0];
    const answer = key ? this.handlers[key](args, options) : undefined;
    return { code: 0, stdout: '', stderr: '', ...answer };
  }
  which(command: string) {
    return this.installed.includes(command) ? `/usr/bin/${command}` : undefined;
  }
  info(message: string) {
    this.out.push(message);
  }
  error(message: string) {
    this.err.push(message);
  }
  get output() {
    return [...this.out, ...this.err].join('\n');
  }
}

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

/** Answers of a healthy machine: images resolve, nothing loaded yet, the release does not exist yet. */
function healthy(extra: Record<string, Handler> = {}): Record<string, Handler> {
  return {
    'node tools/containers/image-refs.mjs --json': () => ({
      stdout: JSON.stringify(REFS),
    }),
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

const run = (runner: FakeRunner, options: MinikubeExecutorSchema = {}) =>
  runExecutor(options, { root: workspaceRoot }, runner);

const HELM_UPGRADE =
  'helm upgrade --install todo-stack deploy/helm/todo-stack --namespace todo --create-namespace -f deploy/helm/todo-stack/values-dev.yaml ' +
  '--set backend.image.repository=todo-backend --set backend.image.tag=nx-111 --set frontend.image.repository=todo-frontend --set frontend.image.tag=nx-222 ' +
  '--wait --timeout 10m --kube-context todo-stack';

describe('minikube executor', () => {
  it('starts the profile, loads both images, installs, tests and prints the URL, in that order', async () => {
    const runner = new FakeRunner(healthy());
    await expect(run(runner)).resolves.toEqual({ success: true });
    expect(runner.calls).toEqual([
      'bash minikube/start.sh',
      'node tools/containers/image-refs.mjs --json',
      'minikube -p todo-stack image ls',
      'minikube -p todo-stack image load todo-backend:nx-111',
      'minikube -p todo-stack image load todo-frontend:nx-222',
      'kubectl --context todo-stack --namespace todo get deployments -l app.kubernetes.io/instance=todo-stack -o json',
      HELM_UPGRADE,
      'kubectl --context todo-stack --namespace todo get deployments -l app.kubernetes.io/instance=todo-stack -o json',
      'helm test todo-stack --namespace todo --logs --timeout 5m --kube-context todo-stack',
      'minikube -p todo-stack ip',
    ]);
    expect(runner.envs[0]).toEqual({ MINIKUBE_PROFILE: 'todo-stack' });
    expect(runner.output).toContain('http://todo.local/');
    expect(runner.output).toContain('echo "192.168.49.2 todo.local" | sudo tee -a /etc/hosts');
    expect(runner.output).toContain('http://192.168.49.2:30080/');
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
        '--set backend.replicas=1 --wait --timeout 3m --kube-context dev',
    );
    expect(runner.calls).toContain('helm test todo --namespace qa --logs --timeout 5m --kube-context dev');
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
    expect(runner.calls.find((call) => call.startsWith('helm upgrade'))).toContain('--set backend.replicas=3 --wait');
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
    expect(runner.err.filter((line) => line.startsWith('✖'))).toHaveLength(3);
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
    const runner = new FakeRunner(
      healthy({
        'node tools/containers/image-refs.mjs --json': () => ({
          code: 1,
          stderr: 'image-refs: no image has been built for frontend',
        }),
      }),
    );
    await expect(run(runner)).resolves.toEqual({ success: false });
    expect(runner.err.join('\n')).toContain('no image has been built for frontend');
    expect(runner.err.join('\n')).toMatch(/image not found: .*npx nx run-many -t container/);
    expect(runner.calls.some((call) => call.startsWith('helm'))).toBe(false);
  });

  it('points at the pods and the troubleshooting guide when helm upgrade fails', async () => {
    const runner = new FakeRunner(healthy({ 'helm upgrade': () => ({ code: 1 }) }));
    await expect(run(runner)).resolves.toEqual({ success: false });
    expect(runner.err.join('\n')).toMatch(/kubectl --context todo-stack -n todo get pods.*docs\/troubleshooting.md/);
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
      'node tools/containers/image-refs.mjs --json',
      'minikube -p todo-stack image ls',
      'helm template todo-stack deploy/helm/todo-stack --namespace todo -f deploy/helm/todo-stack/values-dev.yaml ' +
        '--set backend.image.repository=todo-backend --set backend.image.tag=nx-111 --set frontend.image.repository=todo-frontend --set frontend.image.tag=nx-222',
    ]);
    expect(runner.output).toContain('[dry-run] bash minikube/start.sh');
    expect(runner.output).toContain('[dry-run] minikube -p todo-stack image load todo-backend:nx-111');
    expect(runner.output).toContain(`[dry-run] ${HELM_UPGRADE}`);
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
    expect(runner.calls.some((call) => call.includes(' image '))).toBe(false);
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
      expect(runner.calls).toContain(HELM_UPGRADE.replace('--kube-context todo-stack', '--kube-context kind-todo'));
      expect(runner.output).toContain('port-forward svc/todo-stack-frontend 8080:3000');
    });

    it('a named context is used as given, with the load command per image', async () => {
      const runner = new FakeRunner(contextHandlers('ci'), ['docker', 'helm', 'kubectl']);
      await run(runner, {
        kubeContext: 'ci',
        loadCommand: 'tools/test-cluster/load-image.sh {ref}',
      });
      expect(runner.calls.slice(0, 3)).toEqual([
        'node tools/containers/image-refs.mjs --json',
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

  it('frontendService follows the chart fullname rule', () => {
    expect(frontendService('todo-stack')).toBe('todo-stack-frontend');
    expect(frontendService('prod')).toBe('prod-todo-stack-frontend');
  });
});

describe('minikube/profile.env', () => {
  const profile = parseProfile(readFileSync(path.join(workspaceRoot, 'minikube/profile.env'), 'utf8'));

  it('has the spec sizing: docker driver, 4 CPUs, 8 GiB, ingress and metrics-server', () => {
    expect(profile).toMatchObject({
      MINIKUBE_PROFILE: 'todo-stack',
      MINIKUBE_DRIVER: 'docker',
      MINIKUBE_CPUS: '4',
      MINIKUBE_MEMORY: '8192',
    });
    expect(profile.MINIKUBE_ADDONS.split(',').sort()).toEqual(['ingress', 'metrics-server']);
  });

  it('runs the Kubernetes version the chart is validated against (tools/helm/versions.env)', () => {
    const versions = readFileSync(path.join(workspaceRoot, 'tools/helm/versions.env'), 'utf8');
    expect(profile.MINIKUBE_KUBERNETES_VERSION).toBe(/^KUBERNETES_VERSION=(\S+)/m.exec(versions)?.[1]);
  });

  it('lets the environment override a value, as minikube/lib.sh does', () => {
    expect(
      parseProfile(
        'MINIKUBE_PROFILE=a\nMINIKUBE_DRIVER=docker\nMINIKUBE_CPUS=4\nMINIKUBE_MEMORY=8192\nMINIKUBE_KUBERNETES_VERSION=v1\nMINIKUBE_ADDONS=ingress',
        { MINIKUBE_MEMORY: '4096' },
      ).MINIKUBE_MEMORY,
    ).toBe('4096');
  });
});
