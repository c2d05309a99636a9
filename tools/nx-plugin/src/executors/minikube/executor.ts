import type { ExecutorContext } from '@nx/devkit';
import { readProfile } from '../../lib/profile';
import { processRunner, type Runner } from '../../lib/runner';
import { deploy } from './deploy';
import { normalizeOptions } from './options';
import type { MinikubeExecutorSchema } from './schema';

/**
 * `nx run deploy:minikube`: Minikube profile up, the apps' content-tagged images in it, helm upgrade --install
 * --wait (skipped when the release already has these inputs), helm test, the URL. Returns { success: false } with
 * a printed reason rather than throwing.
 */
export default async function runExecutor(
  options: MinikubeExecutorSchema,
  context: Pick<ExecutorContext, 'root'>,
  runner: Runner = processRunner(context.root),
): Promise<{ success: boolean }> {
  let profile;
  try {
    profile = readProfile(context.root);
  } catch (error) {
    runner.error(`✖ deploy: ${(error as Error).message}`);
    return { success: false };
  }
  return { success: await deploy(normalizeOptions(options, profile), runner, context.root) };
}
