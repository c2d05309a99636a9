import { TROUBLESHOOTING } from '../../../lib/advice.ts';
import { DeployError, type StepContext, type Target } from '../context.ts';

/** Step "cluster": the Minikube profile up (minikube/start.sh), or the kube context to deploy to. */
export async function cluster(ctx: StepContext): Promise<Target> {
  const { o } = ctx;
  if (!o.kubeContext) {
    ctx.step(`Minikube profile ${o.profile}`);
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
