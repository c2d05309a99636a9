import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { TROUBLESHOOTING } from '../../../lib/advice.ts';
import type { StepContext, Target } from '../context.ts';
import {
  crdsArgument,
  FRONT_DOOR_MANIFEST,
  FRONT_DOOR_NAMESPACE,
  GATEWAY_API_CRDS,
  renderFrontDoor,
} from '../front-door.ts';

/**
 * Step "front door" (Minikube, before the release): the Gateway API CRDs, then Traefik serving them (and Ingresses),
 * both with `kubectl apply --server-side`, so a re-run changes nothing that is already there. Runs only when the
 * release fingerprint changed, which covers the CRDs' source, the image and the manifest.
 */
export async function frontDoor(ctx: StepContext, target: Target): Promise<void> {
  const { o } = ctx;
  const plan = o.frontDoorPlan;
  if (!plan || !target.minikube) return;
  ctx.step(`front door: Gateway API ${plan.gatewayApiVersion} CRDs and Traefik (${plan.image})`);
  const context = ['--context', target.context];
  const apply = ['apply', '--server-side', '--force-conflicts', '--field-manager', 'todo-stack-deploy'];
  await ctx.act(
    'kubectl',
    [...context, ...apply, '-f', crdsArgument(ctx.root, plan)],
    `the Gateway API CRDs could not be applied from ${plan.crds} (GATEWAY_API_CRDS in minikube/profile.env; offline, point it at a local copy: see ${TROUBLESHOOTING}).`,
  );
  await ctx.act(
    'kubectl',
    [...context, 'wait', '--for=condition=Established', '--timeout=60s', ...GATEWAY_API_CRDS],
    'the Gateway API CRDs were applied but not established within 60 s.',
  );
  // The node's address, read by the cluster step (a dry run reads nothing).
  const nodeIp = target.nodeAddress ?? `$(minikube -p ${o.profile} ip)`;
  const manifest = renderFrontDoor(readFileSync(path.join(ctx.root, FRONT_DOOR_MANIFEST), 'utf8'), plan, nodeIp);
  // kubectl reads the rendered manifest from a file named after its content, so a dry run prints a stable command.
  const dir = path.join(tmpdir(), 'todo-stack-front-door');
  const file = path.join(dir, `traefik-${createHash('sha256').update(manifest).digest('hex').slice(0, 12)}.yaml`);
  if (!o.dryRun) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, manifest);
  }
  await ctx.act(
    'kubectl',
    [...context, ...apply, '-f', file],
    `Traefik's manifest (${FRONT_DOOR_MANIFEST}) could not be applied (the reason is above).`,
  );
  await ctx.act(
    'kubectl',
    [
      ...context,
      '--namespace',
      FRONT_DOOR_NAMESPACE,
      'rollout',
      'status',
      'deployment/traefik',
      `--timeout=${o.timeout}`,
    ],
    `Traefik did not become ready within ${o.timeout}: kubectl --context ${target.context} -n ${FRONT_DOOR_NAMESPACE} describe pod -l app.kubernetes.io/name=traefik says why (an image that cannot be pulled: set TRAEFIK_IMAGE in minikube/profile.env; "didn't have free ports": the ingress addon of an older profile holds ports 80 and 443, minikube -p ${o.profile} addons disable ingress).`,
  );
}
