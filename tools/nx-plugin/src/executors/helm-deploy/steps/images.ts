import { DeployError, type StepContext } from '../context';
import { buildImages } from './build-images';

export const APPS = ['backend', 'frontend'] as const;
export type App = (typeof APPS)[number];

interface ImageRef {
  image: string;
  tag: string;
  ref: string;
}
export type ImageRefs = Record<App, ImageRef>;

const IMAGE_REFS = 'tools/containers/image-refs.mjs';
/** image-refs.mjs's exit code for an image the Nx cache records but this Docker daemon no longer has. */
const STALE_EXIT = 3;

/** Step "images": the content tags the apps' container targets produced (tools/containers/image-refs.mjs). */
export async function images(ctx: StepContext): Promise<ImageRefs> {
  ctx.step('images');
  let result = await ctx.read('node', [IMAGE_REFS, '--json']);
  if (result.code === STALE_EXIT) {
    await rebuildStale(ctx);
    result = await ctx.read('node', [IMAGE_REFS, '--json']);
  }
  if (result.code !== 0) {
    ctx.runner.error(result.stderr.trim());
    throw new DeployError(
      'image not found: the app images must be built first. Run npx nx run-many -t container (npx nx run deploy:minikube does it unless --exclude-task-dependencies is given), then deploy again.',
    );
  }
  let refs: ImageRefs;
  try {
    refs = JSON.parse(result.stdout) as ImageRefs;
  } catch {
    throw new DeployError(
      `tools/containers/image-refs.mjs printed something that is not JSON: ${result.stdout.slice(0, 200)}`,
    );
  }
  for (const app of APPS) {
    if (!refs[app]?.image || !refs[app]?.tag)
      throw new DeployError(
        `image not found: tools/containers/image-refs.mjs gave no ${app} image. Run npx nx run ${app}:container.`,
      );
    ctx.say(`  ${app.padEnd(8)} ${refs[app].image}:${refs[app].tag}`);
  }
  return refs;
}

/**
 * A cache hit of `<app>:container` restores the image's ID, not the image: after `docker system prune`, or on a
 * machine that shares the Nx cache but not the Docker daemon, the ID names nothing. The executor knows which app
 * that is, so it rebuilds it, bypassing the cache, instead of stopping with advice to do so.
 */
async function rebuildStale(ctx: StepContext): Promise<void> {
  const stale: App[] = [];
  for (const app of APPS) {
    const check = await ctx.read('node', [IMAGE_REFS, '--json', app]);
    if (check.code !== STALE_EXIT) continue;
    ctx.warn(check.stderr.trim().replace(/^image-refs: /, ''));
    stale.push(app);
  }
  if (!stale.length) return;
  if (ctx.o.dryRun) return ctx.say(`  [dry-run] would rebuild the ${stale.join(' and ')} image without the Nx cache`);
  ctx.say(`  rebuilding the ${stale.join(' and ')} image without the Nx cache`);
  await buildImages(ctx, stale, { skipCache: true });
}
