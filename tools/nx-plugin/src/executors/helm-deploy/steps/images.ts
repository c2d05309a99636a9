import { ImageRefError, imageRefs, type ImageRef } from '../../../lib/image-refs.ts';
import { DeployError, type StepContext } from '../context.ts';
import { buildImages } from './build-images.ts';

/** The image of each deployed app, by app (project) name. */
export type ImageRefs = Record<string, ImageRef>;

/** Each app's image reference, or why there is none. */
export type ImageLookup = Map<string, ImageRef | ImageRefError>;

/**
 * Reads the apps' image references (lib/image-refs.ts: one `docker image inspect` for all). Read-only: the deploy
 * starts it beside the cluster step and hands it to images().
 */
export const readRefs = (ctx: StepContext, apps: readonly string[] = ctx.apps): Promise<ImageLookup> =>
  imageRefs(apps, { root: ctx.root, cacheDir: ctx.imageCacheDir, docker: (args) => ctx.read('docker', args) });

const stale = (refs: ImageLookup) =>
  [...refs].flatMap(([app, ref]) => (ref instanceof ImageRefError && ref.problem === 'stale' ? [app] : []));

/**
 * Step "images": the content tags the apps' container targets produced (lib/image-refs.ts). A cache hit of
 * `<app>:container` restores the image's ID, not the image: after `docker system prune`, or on a machine that
 * shares the Nx cache but not the Docker daemon, the ID names nothing. The step knows which app that is, so it
 * rebuilds it, bypassing the cache, instead of stopping with advice to do so. `lookup`: the references as already
 * read (readRefs), else they are read here.
 */
export async function images(ctx: StepContext, lookup?: Promise<ImageLookup>): Promise<ImageRefs> {
  ctx.step('images');
  let refs = await (lookup ?? readRefs(ctx));
  const rebuild = stale(refs);
  if (rebuild.length) {
    for (const app of rebuild) ctx.warn((refs.get(app) as ImageRefError).message);
    if (ctx.o.dryRun) ctx.say(`  [dry-run] would rebuild the ${rebuild.join(' and ')} image without the Nx cache`);
    else {
      ctx.say(`  rebuilding the ${rebuild.join(' and ')} image without the Nx cache`);
      await buildImages(ctx, rebuild, { skipCache: true });
      refs = new Map([...refs, ...(await readRefs(ctx, rebuild))]);
    }
  }
  const missing = [...refs.values()].filter((ref) => ref instanceof ImageRefError);
  if (missing.length) {
    for (const error of missing) ctx.runner.error(`  ${error.message}`);
    throw new DeployError(
      'image not found: the app images must be built first. Run npx nx run-many -t container (npx nx run deploy:minikube does it unless --exclude-task-dependencies is given), then deploy again.',
    );
  }
  const found = Object.fromEntries(refs) as ImageRefs;
  for (const [app, ref] of Object.entries(found)) ctx.say(`  ${app.padEnd(8)} ${ref.image}:${ref.tag}`);
  return found;
}
