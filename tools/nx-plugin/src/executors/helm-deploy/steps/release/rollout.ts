import { kubectlTarget, type StepContext, type Target } from '../../context.ts';

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

export async function deployments(ctx: StepContext, target: Target): Promise<Map<string, DeploymentState>> {
  const result = await ctx.read('kubectl', [
    ...kubectlTarget(ctx, target),
    'get',
    'deployments',
    '-l',
    `app.kubernetes.io/instance=${ctx.o.release}`,
    '-o',
    'json',
  ]);
  if (result.code !== 0) return new Map();
  try {
    return parseDeployments(result.stdout);
  } catch {
    return new Map();
  }
}

/** Which Deployments the upgrade created, rolled out (their generation moved) or left alone. */
export function reportRollout(
  ctx: StepContext,
  before: Map<string, DeploymentState>,
  after: Map<string, DeploymentState>,
): void {
  for (const [name, state] of after) {
    const previous = before.get(name);
    if (!previous) ctx.say(`  ${name}: created (${state.images.join(', ')})`);
    else if (previous.generation === state.generation)
      ctx.say(`  ${name}: unchanged, no rollout (generation ${state.generation})`);
    else
      ctx.say(
        `  ${name}: rolled out (generation ${previous.generation} → ${state.generation}: ${state.images.join(', ')})`,
      );
  }
}
