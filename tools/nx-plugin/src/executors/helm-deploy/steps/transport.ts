import { DeployError, type StepContext, type Target } from '../context.ts';
import { clusterRegistry, MINIKUBE_REGISTRY_PORT } from '../values.ts';
import type { ImageRefs } from './images.ts';
import { load } from './load.ts';

/** The address Docker pushes to: --registry, else (Minikube) the registry addon at `minikube ip`:5000. */
async function pushRegistry(ctx: StepContext, target: Target): Promise<string> {
  const { o } = ctx;
  if (o.registry) return o.registry;
  if (!target.minikube) return clusterRegistry(o); // throws: nothing to push to
  const addons = await ctx.read('minikube', ['-p', o.profile, 'addons', 'list', '--output', 'json']);
  let enabled = false;
  try {
    const list = JSON.parse(addons.stdout) as Record<string, { Status?: string }>;
    enabled = list['registry']?.Status === 'enabled';
  } catch {
    // unknown: enabling an enabled addon is harmless
  }
  if (!enabled)
    await ctx.act(
      'minikube',
      ['-p', o.profile, 'addons', 'enable', 'registry'],
      `minikube could not enable its registry addon (the reason is above); --transport=load loads whole images instead.`,
    );
  const ip = await ctx.read('minikube', ['-p', o.profile, 'ip']);
  const address = ip.stdout.trim();
  if (ip.code !== 0 || !address) {
    // minikube prints why on stdout when the profile is missing ("Profile … not found"), other errors on stderr.
    const why = ip.code !== 0 ? ip.stderr.trim() || address : '';
    throw new DeployError(`minikube -p ${o.profile} ip failed: ${why || 'no address'}`);
  }
  return `${address}:${MINIKUBE_REGISTRY_PORT}`;
}

/**
 * Step "images into the cluster", by the chosen transport. `load` sends whole images (minikube image load or
 * loadCommand). `registry` tags the apps' images for a registry the cluster pulls from and pushes them: the
 * registry already has the base layers, so only the layers an edit changed travel. extraImages always go by load
 * (the chart's values name them, e.g. postgresql.image.*); a watch loop moves only the apps it rebuilt.
 */
export async function transport(
  ctx: StepContext,
  target: Target,
  refs: ImageRefs,
  apps: readonly string[] = ctx.apps,
  extraImages = ctx.o.extraImages,
): Promise<void> {
  const { o } = ctx;
  const appRefs = apps.map((app) => refs[app].ref);
  if (o.transport !== 'registry' || o.skipBuild) return load(ctx, target, [...appRefs, ...extraImages]);
  ctx.step('images into the registry');
  const registry = await pushRegistry(ctx, target);
  for (const app of apps) {
    const pushed = `${registry}/${refs[app].image}:${refs[app].tag}`;
    await ctx.act(
      'docker',
      ['tag', refs[app].ref, pushed],
      `image not found: ${refs[app].ref} is not in the local Docker (npx nx run ${app}:container builds it).`,
    );
    await ctx.act(
      'docker',
      ['push', pushed],
      `docker push ${pushed} failed (the reason is above). Is the registry running (tools/test-cluster/up.sh --registry; minikube addons enable registry)? An address other than localhost needs Docker's "insecure-registries" (see minikube/README.md).`,
    );
  }
  if (extraImages.length) await load(ctx, target, extraImages);
}
