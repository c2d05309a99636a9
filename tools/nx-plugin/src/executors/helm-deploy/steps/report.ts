import { helmTarget, type StepContext, type Target } from '../context.ts';
import { frontendAccess, type FrontendAccess } from '../manifests.ts';

/**
 * The frontend's Service and ports, from the deployed release's manifest: the one given (an unchanged release's,
 * read with its status), else `helm get manifest`.
 */
async function deployedFrontend(ctx: StepContext, target: Target, known?: string): Promise<FrontendAccess | undefined> {
  if (ctx.o.dryRun) return undefined;
  if (known !== undefined) return frontendAccess(known);
  const manifest = await ctx.read('helm', ['get', 'manifest', ctx.o.release, ...helmTarget(ctx, target)]);
  return manifest.code === 0 ? frontendAccess(manifest.stdout) : undefined;
}

export type Outcome = 'deployed' | 'unchanged' | 'dry-run';

/** Step "report": what happened and where the app is; `manifest`: the release's, when the caller has read it. */
export async function report(ctx: StepContext, target: Target, outcome: Outcome, manifest?: string): Promise<void> {
  const { o } = ctx;
  const titles: Record<Outcome, string> = {
    'dry-run': 'dry run done: nothing was started, loaded or installed',
    unchanged: `unchanged: release ${o.release} already runs this chart, these values and images; nothing deployed (--force deploys anyway)`,
    deployed: 'Todo Stack is running',
  };
  ctx.step(titles[outcome]);
  const frontend = await deployedFrontend(ctx, target, manifest);
  const service = frontend?.service ?? '<the frontend Service>';
  if (target.minikube) {
    // The node's address, read by the cluster step (a dry run reads nothing).
    const ip = target.nodeAddress ?? `$(minikube -p ${o.profile} ip)`;
    ctx.say(`  http://${o.host}/`);
    ctx.say(`    once: echo "${ip} ${o.host}" | sudo tee -a /etc/hosts`);
    if (frontend?.nodePort)
      ctx.say(`  http://${ip}:${frontend.nodePort}/   (the frontend's NodePort, no hosts entry needed)`);
    ctx.say(
      `  macOS/Windows with the docker driver: minikube/tunnel.sh (Traefik on 127.0.0.1) or minikube/tunnel.sh --port-forward`,
    );
    return;
  }
  ctx.say(
    `  kubectl --context ${target.context} -n ${o.namespace} port-forward svc/${service} 8080:${frontend?.port ?? '<port>'}  →  http://localhost:8080/`,
  );
  ctx.say(
    `  or http://${o.host}/ through the cluster's Gateway or ingress${frontend?.nodePort ? `, or port ${frontend.nodePort} of any node` : ''}`,
  );
}
