import type { StepContext, Target } from '../context.ts';

/** Lines of `minikube image ls` name an image as `docker.io/library/todo-backend:tag` or `todo-backend:tag`. */
export function imagePresent(listing: string, ref: string): boolean {
  const candidates = new Set([ref, `docker.io/library/${ref}`, `docker.io/${ref}`]);
  return listing.split(/\r?\n/).some((line) => candidates.has(line.trim()));
}

/** Step "load": puts the images into the cluster's runtime (Minikube: only those it lacks; else loadCommand). */
export async function load(ctx: StepContext, target: Target, refs: string[]): Promise<void> {
  const { o } = ctx;
  if (o.skipBuild) {
    ctx.say('  --skip-build: not loading images; the cluster must have them already');
    return;
  }
  if (target.minikube) {
    ctx.step('images into Minikube');
    // A dry run without minikube installed still lists the loads it would do.
    const listing = ctx.runner.which('minikube')
      ? await ctx.read('minikube', ['-p', o.profile, 'image', 'ls'])
      : undefined;
    for (const ref of refs) {
      if (listing?.code === 0 && imagePresent(listing.stdout, ref)) {
        ctx.say(`  ${ref}: already in the cluster`);
        continue;
      }
      await ctx.act(
        'minikube',
        ['-p', o.profile, 'image', 'load', ref],
        `image not found: minikube could not load ${ref} (is it in the local Docker? docker image ls ${ref.replace(/:[^:/]*$/, '')}).`,
      );
    }
    return;
  }
  if (!o.loadCommand) {
    ctx.say(
      '  no loadCommand: the cluster is expected to see the local Docker images (Docker Desktop); kind: --loadCommand="kind load docker-image {ref}"',
    );
    return;
  }
  ctx.step('images into the cluster');
  for (const ref of refs) {
    const command = o.loadCommand.split('{ref}').join(ref);
    await ctx.act('sh', ['-c', command], `image not found: loading ${ref} with '${command}' failed.`);
  }
}
