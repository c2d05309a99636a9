import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { TROUBLESHOOTING } from '../../../lib/advice.ts';
import { DeployError, type StepContext, type Target } from '../context.ts';

/** The parts of a profile's saved config (minikube's config.ClusterConfig, profiles/<name>/config.json) read here. */
interface ProfileConfig {
  Addons?: Record<string, boolean>;
  Nodes?: { IP?: string; ControlPlane?: boolean }[];
}

/**
 * The node address of the profile when its saved config has every addon start.sh enables: the address `minikube ip`
 * prints (the control-plane node's IP of the same config). Undefined (no config, an addon missing): start.sh decides.
 */
function configuredAddress(ctx: StepContext): string | undefined {
  if (!ctx.minikubeDir) return undefined;
  let config: ProfileConfig;
  try {
    const file = path.join(ctx.minikubeDir, 'profiles', ctx.o.profile, 'config.json');
    config = JSON.parse(readFileSync(file, 'utf8')) as ProfileConfig;
  } catch {
    return undefined;
  }
  if (!ctx.o.addons.every((addon) => config.Addons?.[addon] === true)) return undefined;
  const node = config.Nodes?.find((candidate) => candidate.ControlPlane) ?? config.Nodes?.[0];
  return node?.IP || undefined;
}

/**
 * Whether the profile's host and API server run: its API server answers /readyz through the kube context minikube
 * start wrote (named after the profile). That is what `minikube status` reports as "Running Running" (minikube/lib.sh's
 * profile_running, start.sh's check), without its SSH round to the node: a third of its time on a re-run. A stopped
 * node, a deleted profile or a context pointing elsewhere fails (within the timeout), and start.sh takes over.
 */
async function running(ctx: StepContext): Promise<boolean> {
  const ready = await ctx.read('kubectl', [
    '--context',
    ctx.o.profile,
    'get',
    '--raw',
    '/readyz',
    `--request-timeout=${READYZ_TIMEOUT}`,
  ]);
  return ready.code === 0 && ready.stdout.trim() === 'ok';
}

/** An API server that does not answer /readyz in this long is not one to deploy to without start.sh first. */
const READYZ_TIMEOUT = '3s';

/**
 * Step "cluster": the Minikube profile up (minikube/start.sh), or the kube context to deploy to. A profile that
 * runs and whose saved config has every addon is used as it is, with one /readyz request instead of start.sh's
 * checks and `minikube ip` (its image loads, MINIKUBE_LOAD_IMAGES, are for a start); anything else goes to start.sh.
 */
export async function cluster(ctx: StepContext): Promise<Target> {
  const { o } = ctx;
  if (!o.kubeContext) {
    ctx.step(`Minikube profile ${o.profile}`);
    const address = o.dryRun ? undefined : configuredAddress(ctx);
    if (address && (await running(ctx))) {
      ctx.say(`  running, with its addons${o.addons.length ? ` (${o.addons.join(', ')})` : ''}: reusing it`);
      return { context: o.profile, minikube: true, nodeAddress: address };
    }
    await ctx.act(
      'bash',
      ['minikube/start.sh'],
      `the Minikube profile ${o.profile} is not running and could not be started (the reason is above; see ${TROUBLESHOOTING}).`,
      { MINIKUBE_PROFILE: o.profile },
    );
    if (o.dryRun) return { context: o.profile, minikube: true };
    // The node's address: the Gateway's status, the URLs of the report, and a trusted origin of the backend (the
    // NodePort URL the report prints; the chart adds it).
    const ip = await ctx.read('minikube', ['-p', o.profile, 'ip']);
    const nodeAddress = ip.code === 0 ? ip.stdout.trim() : '';
    if (!nodeAddress) ctx.warn(`minikube ip failed (${ip.stderr.trim()}): Gateways and Ingresses will show no address`);
    return { context: o.profile, minikube: true, ...(nodeAddress ? { nodeAddress } : {}) };
  }
  ctx.step('kube context');
  if (o.kubeContext !== 'current') {
    ctx.say(`  deploying to the context ${o.kubeContext}`);
    return { context: o.kubeContext, minikube: false };
  }
  const current = await ctx.read('kubectl', ['config', 'current-context']);
  const context = current.stdout.trim();
  if (current.code !== 0 || !context) {
    throw new DeployError(
      `there is no current kube context (kubectl config current-context: ${current.stderr.trim() || 'empty'}). Point kubectl at a cluster (kind, k3d, Docker Desktop: kubectl config use-context NAME) or leave kubeContext unset to use Minikube.`,
    );
  }
  ctx.say(`  deploying to the current context: ${context}`);
  return { context, minikube: false };
}
