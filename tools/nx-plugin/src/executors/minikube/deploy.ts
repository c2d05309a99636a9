import { TOOL_ADVICE, TROUBLESHOOTING } from '../../lib/advice';
import type { MinikubeProfile } from '../../lib/profile';
import { commandLine, type CommandResult, type Runner } from '../../lib/runner';
import type { MinikubeExecutorSchema } from './schema';

export const APPS = ['backend', 'frontend'] as const;
export type App = (typeof APPS)[number];

export interface ImageRef {
  image: string;
  tag: string;
  ref: string;
}

export interface NormalizedOptions {
  profile: string;
  namespace: string;
  release: string;
  chart: string;
  valuesFiles: string[];
  set: string[];
  dryRun: boolean;
  skipBuild: boolean;
  /** '' = Minikube mode. */
  kubeContext: string;
  loadCommand: string;
  extraImages: string[];
  timeout: string;
  helmTest: boolean;
  host: string;
}

/** Nx gives a string for an array option passed once on the command line (`--set=a=1`). */
function toArray(value: string[] | string | undefined, fallback: string[]): string[] {
  if (value === undefined) return fallback;
  return (Array.isArray(value) ? value : [value]).filter((item) => item !== '');
}

export function normalizeOptions(
  options: MinikubeExecutorSchema,
  profile: Pick<MinikubeProfile, 'MINIKUBE_PROFILE'>,
): NormalizedOptions {
  return {
    profile: options.profile || profile.MINIKUBE_PROFILE,
    namespace: options.namespace || 'todo',
    release: options.release || 'todo-stack',
    chart: options.chart || 'deploy/helm/todo-stack',
    valuesFiles: toArray(options.valuesFiles, ['deploy/helm/todo-stack/values-dev.yaml']),
    set: toArray(options.set, []),
    dryRun: options.dryRun ?? false,
    skipBuild: options.skipBuild ?? false,
    kubeContext: options.kubeContext ?? '',
    loadCommand: options.loadCommand ?? '',
    extraImages: toArray(options.extraImages, []),
    timeout: options.timeout || '10m',
    helmTest: options.helmTest ?? true,
    host: options.host || 'todo.local',
  };
}

interface DeploymentState {
  generation: number;
  images: string[];
}

/** The Deployments of the release (name → generation and images), from `kubectl get deployments -o json`. */
export function parseDeployments(json: string): Map<string, DeploymentState> {
  const states = new Map<string, DeploymentState>();
  const list = JSON.parse(json) as {
    items?: {
      metadata?: { name?: string; generation?: number };
      spec?: { template?: { spec?: { containers?: { image?: string }[] } } };
    }[];
  };
  for (const item of list.items ?? []) {
    const name = item.metadata?.name;
    if (!name) continue;
    states.set(name, {
      generation: item.metadata?.generation ?? 0,
      images: (item.spec?.template?.spec?.containers ?? []).map((c) => c.image ?? ''),
    });
  }
  return states;
}

/** Lines of `minikube image ls` name an image as `docker.io/library/todo-backend:tag` or `todo-backend:tag`. */
export function imagePresent(listing: string, ref: string): boolean {
  const candidates = new Set([ref, `docker.io/library/${ref}`, `docker.io/${ref}`]);
  return listing.split(/\r?\n/).some((line) => candidates.has(line.trim()));
}

/** `kind/name` of every document `helm template` rendered, and the images they use. */
export function summarizeManifests(rendered: string): {
  resources: string[];
  images: string[];
} {
  const resources: string[] = [];
  const images = new Set<string>();
  for (const doc of rendered.split(/^---\s*$/m)) {
    const kind = /^kind:\s*(\S+)/m.exec(doc)?.[1];
    const name = /^metadata:\s*\n(?:[ \t]+.*\n)*?[ \t]+name:\s*"?([^"\s]+)"?/m.exec(doc)?.[1];
    if (kind) resources.push(`${kind}/${name ?? '?'}`);
    for (const match of doc.matchAll(/^\s*(?:-\s*)?image:\s*"?([^"\s]+)"?/gm)) images.add(match[1]);
  }
  return { resources, images: [...images].sort() };
}

/** The chart's frontend Service: `<fullname>-frontend`, fullname being the release when it contains "todo-stack". */
export function frontendService(release: string): string {
  return `${release.includes('todo-stack') ? release : `${release}-todo-stack`}-frontend`;
}

class DeployError extends Error {}

/**
 * The deploy, step by step. Returns false (after printing what to do) on the first failure; never throws for an
 * expected failure. `workspaceRoot`-relative paths everywhere, the runner runs in the workspace root.
 */
export async function deploy(o: NormalizedOptions, runner: Runner): Promise<boolean> {
  const minikubeMode = !o.kubeContext;
  const say = (message: string) => runner.info(message);
  const step = (title: string) => say(`\n▸ ${title}`);

  /** Runs a command that changes something (or prints it in dry-run mode). */
  const act = async (command: string, args: string[], failure: string, env?: Record<string, string>): Promise<void> => {
    if (o.dryRun) {
      say(`  [dry-run] ${commandLine(command, args)}`);
      return;
    }
    say(`  $ ${commandLine(command, args)}`);
    const result = await runner.run(command, args, { env });
    if (result.code !== 0) throw new DeployError(failure);
  };
  /** Runs a read-only command and returns its output (also in dry-run mode). */
  const read = async (command: string, args: string[]): Promise<CommandResult> => {
    return runner.run(command, args, { capture: true });
  };

  try {
    // 1. Tools.
    step('tools');
    const tools = minikubeMode ? ['minikube', 'docker', 'helm', 'kubectl'] : ['docker', 'helm', 'kubectl'];
    const missing = tools.filter((tool) => !runner.which(tool));
    if (missing.length) {
      for (const tool of missing) runner.error(`✖ ${TOOL_ADVICE[tool]}`);
      runner.error(
        `deploy: ${missing.join(', ')} missing; install ${missing.length > 1 ? 'them' : 'it'} and run again.`,
      );
      return false;
    }
    say(`  ${tools.join(', ')}: found`);

    // 2. Cluster.
    let context: string;
    if (minikubeMode) {
      step(`Minikube profile ${o.profile}`);
      await act(
        'bash',
        ['minikube/start.sh'],
        `the Minikube profile ${o.profile} is not running and could not be started (the reason is above; see ${TROUBLESHOOTING}).`,
        { MINIKUBE_PROFILE: o.profile },
      );
      context = o.profile;
    } else if (o.kubeContext === 'current') {
      step('kube context');
      const current = await read('kubectl', ['config', 'current-context']);
      context = current.stdout.trim();
      if (current.code !== 0 || !context) {
        throw new DeployError(
          `there is no current kube context (kubectl config current-context: ${current.stderr.trim() || 'empty'}). Point kubectl at a cluster (kind, k3d, Docker Desktop: kubectl config use-context NAME) or leave kubeContext unset to use Minikube.`,
        );
      }
      say(`  deploying to the current context: ${context}`);
    } else {
      step('kube context');
      context = o.kubeContext;
      say(`  deploying to the context ${context}`);
    }
    const helmContext = ['--kube-context', context];
    const kubectlContext = ['--context', context];

    // 3. Images: the content tags the apps' container targets produced.
    step('images');
    const refsResult = await read('node', ['tools/containers/image-refs.mjs', '--json']);
    if (refsResult.code !== 0) {
      runner.error(refsResult.stderr.trim());
      throw new DeployError(
        'image not found: the app images must be built first. Run npx nx run-many -t container (npx nx run deploy:minikube does it unless --exclude-task-dependencies is given), then deploy again.',
      );
    }
    let refs: Record<App, ImageRef>;
    try {
      refs = JSON.parse(refsResult.stdout) as Record<App, ImageRef>;
    } catch {
      throw new DeployError(
        `tools/containers/image-refs.mjs printed something that is not JSON: ${refsResult.stdout.slice(0, 200)}`,
      );
    }
    for (const app of APPS) {
      if (!refs[app]?.image || !refs[app]?.tag)
        throw new DeployError(
          `image not found: tools/containers/image-refs.mjs gave no ${app} image. Run npx nx run ${app}:container.`,
        );
      say(`  ${app.padEnd(8)} ${refs[app].image}:${refs[app].tag}`);
    }

    // 4. Images into the cluster's runtime: the apps' images, then extraImages (e.g. PostgreSQL, for offline nodes).
    const toLoad = [...APPS.map((app) => refs[app].ref), ...o.extraImages];
    if (o.skipBuild) {
      say('  --skip-build: not loading images; the cluster must have them already');
    } else if (minikubeMode) {
      step('images into Minikube');
      const listing = await read('minikube', ['-p', o.profile, 'image', 'ls']);
      for (const ref of toLoad) {
        if (listing.code === 0 && imagePresent(listing.stdout, ref)) {
          say(`  ${ref}: already in the cluster`);
          continue;
        }
        await act(
          'minikube',
          ['-p', o.profile, 'image', 'load', ref],
          `image not found: minikube could not load ${ref} (is it in the local Docker? docker image ls ${ref.replace(/:[^:/]*$/, '')}).`,
        );
      }
    } else if (o.loadCommand) {
      step('images into the cluster');
      for (const ref of toLoad) {
        const command = o.loadCommand.split('{ref}').join(ref);
        await act('sh', ['-c', command], `image not found: loading ${ref} with '${command}' failed.`);
      }
    } else {
      say(
        '  no loadCommand: the cluster is expected to see the local Docker images (Docker Desktop); kind: --loadCommand="kind load docker-image {ref}"',
      );
    }

    // 5. Helm.
    const values = [...o.valuesFiles.flatMap((file) => ['-f', file])];
    const sets = [
      ...APPS.flatMap((app) => [
        '--set',
        `${app}.image.repository=${refs[app].image}`,
        '--set',
        `${app}.image.tag=${refs[app].tag}`,
      ]),
      ...o.set.flatMap((pair) => ['--set', pair]),
    ];
    const deploymentsArgs = [
      ...kubectlContext,
      '--namespace',
      o.namespace,
      'get',
      'deployments',
      '-l',
      `app.kubernetes.io/instance=${o.release}`,
      '-o',
      'json',
    ];
    const deployments = async (): Promise<Map<string, DeploymentState>> => {
      if (o.dryRun) return new Map();
      const result = await read('kubectl', deploymentsArgs);
      if (result.code !== 0) return new Map();
      try {
        return parseDeployments(result.stdout);
      } catch {
        return new Map();
      }
    };

    step(`helm upgrade --install ${o.release} (namespace ${o.namespace}, context ${context})`);
    const before = await deployments();
    const upgrade = [
      'upgrade',
      '--install',
      o.release,
      o.chart,
      '--namespace',
      o.namespace,
      '--create-namespace',
      ...values,
      ...sets,
      '--wait',
      '--timeout',
      o.timeout,
      ...helmContext,
    ];
    if (o.dryRun) {
      say(`  [dry-run] ${commandLine('helm', upgrade)}`);
      const template = ['template', o.release, o.chart, '--namespace', o.namespace, ...values, ...sets];
      say(`  $ ${commandLine('helm', template)}`);
      const rendered = await read('helm', template);
      if (rendered.code !== 0) {
        runner.error(rendered.stderr.trim());
        throw new DeployError('helm template failed: the values do not render (the reason is above).');
      }
      const { resources, images } = summarizeManifests(rendered.stdout);
      say(`  renders ${resources.length} resources: ${resources.join(', ')}`);
      say(`  images: ${images.join(', ')}`);
    } else {
      await act(
        'helm',
        upgrade,
        `helm upgrade failed or the release did not get ready within ${o.timeout}. Look at: kubectl --context ${context} -n ${o.namespace} get pods; kubectl --context ${context} -n ${o.namespace} describe pod <name> (ErrImageNeverPull/ImagePullBackOff: image not found; Pending: PVC or memory). More: ${TROUBLESHOOTING}.`,
      );
      const after = await deployments();
      for (const [name, state] of after) {
        const previous = before.get(name);
        if (!previous) say(`  ${name}: created (${state.images.join(', ')})`);
        else if (previous.generation === state.generation)
          say(`  ${name}: unchanged, no rollout (generation ${state.generation})`);
        else
          say(
            `  ${name}: rolled out (generation ${previous.generation} → ${state.generation}: ${state.images.join(', ')})`,
          );
      }
    }

    // 6. helm test.
    if (o.helmTest) {
      step('helm test');
      await act(
        'helm',
        ['test', o.release, '--namespace', o.namespace, '--logs', '--timeout', '5m', ...helmContext],
        `helm test failed: the release is up but its smoke tests did not pass (logs above). kubectl --context ${context} -n ${o.namespace} logs -l app=todo --tail=50; ${TROUBLESHOOTING}.`,
      );
    }

    // 7. Where the app is.
    step(o.dryRun ? 'dry run done: nothing was started, loaded or installed' : 'Todo Stack is running');
    if (minikubeMode) {
      const ipResult = o.dryRun ? undefined : await read('minikube', ['-p', o.profile, 'ip']);
      const ip = ipResult?.code === 0 ? ipResult.stdout.trim() : '$(minikube -p ' + o.profile + ' ip)';
      say(`  http://${o.host}/`);
      say(`    once: echo "${ip} ${o.host}" | sudo tee -a /etc/hosts`);
      say(`  http://${ip}:30080/   (the frontend's NodePort, no hosts entry needed)`);
      say(
        `  macOS/Windows with the docker driver: minikube/tunnel.sh (ingress on 127.0.0.1) or minikube/tunnel.sh --port-forward`,
      );
    } else {
      say(
        `  kubectl --context ${context} -n ${o.namespace} port-forward svc/${frontendService(o.release)} 8080:3000  →  http://localhost:8080/`,
      );
      say(`  or http://${o.host}/ through the cluster's ingress, or the node's port 30080 (environment=local)`);
    }
    return true;
  } catch (error) {
    if (!(error instanceof DeployError)) throw error;
    runner.error(`✖ deploy: ${error.message}`);
    return false;
  }
}
