import { DeployError, type StepContext } from '../context';

export const APPS = ['backend', 'frontend'] as const;
export type App = (typeof APPS)[number];

export interface ImageRef {
  image: string;
  tag: string;
  ref: string;
}
export type ImageRefs = Record<App, ImageRef>;

/** Step "images": the content tags the apps' container targets produced (tools/containers/image-refs.mjs). */
export async function images(ctx: StepContext): Promise<ImageRefs> {
  ctx.step('images');
  const result = await ctx.read('node', ['tools/containers/image-refs.mjs', '--json']);
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
