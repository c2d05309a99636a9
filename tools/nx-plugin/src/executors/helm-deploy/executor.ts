import type { ExecutorContext } from '@nx/devkit';
import { readProfile } from '../../lib/profile';
import { processRunner, type Runner } from '../../lib/runner';
import { deploy, deployTo, type DeployResult } from './deploy';
import { normalizeOptions, type NormalizedOptions } from './options';
import type { HelmDeployExecutorSchema } from './schema';
import { watchFiles } from './watch/file-watcher';
import { nxWorkspaceInputs } from './watch/inputs';
import { processSpawner } from './watch/processes';
import { watch } from './watch/watch';

/**
 * `nx run deploy:minikube`: Minikube profile up, the apps' content-tagged images in it, helm upgrade --install
 * --wait (skipped when the release already has these inputs), helm test, the URL. With --watch it then redeploys
 * what each edit affects until Ctrl-C. Returns { success: false } with a printed reason rather than throwing.
 */
export default async function runExecutor(
  options: HelmDeployExecutorSchema,
  context: Pick<ExecutorContext, 'root'>,
  runner: Runner = processRunner(context.root),
): Promise<{ success: boolean }> {
  let o: NormalizedOptions;
  try {
    o = normalizeOptions(options, readProfile(context.root));
  } catch (error) {
    runner.error(`✖ deploy: ${(error as Error).message}`);
    return { success: false };
  }
  if (!o.watch) return { success: await deploy(o, runner, context.root) };
  if (o.dryRun) {
    runner.error('✖ deploy: --watch redeploys on every change; it cannot be combined with --dry-run.');
    return { success: false };
  }
  const { ok, target } = await deployTo(o, runner, context.root);
  // Without a cluster (missing tools, Minikube not starting) there is nothing to watch for.
  if (!target) return { success: false };
  return { success: await watchUntilSignal(o, context.root, { ok, target }, runner) };
}

/** Watch mode wired to the real world: the file watcher, child processes, Nx's project graph, SIGINT/SIGTERM. */
async function watchUntilSignal(
  o: NormalizedOptions,
  root: string,
  first: Required<DeployResult>,
  runner: Runner,
): Promise<boolean> {
  const { createProjectGraphAsync, readCachedProjectGraph } = await import('@nx/devkit');
  // The graph every Nx command writes to .nx/workspace-data: the previous loop's `nx run-many` (or the deploy
  // itself) refreshed it, and reading it takes milliseconds where computing it takes seconds. A project created
  // since then owns none of the changed files, which then count as affecting every app (see affectedBy).
  const graph = async () => {
    try {
      return readCachedProjectGraph();
    } catch {
      return createProjectGraphAsync({ exitOnError: false });
    }
  };
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await watch(o, root, first, {
      runner,
      spawn: processSpawner(root),
      watchFiles,
      graph,
      inputs: nxWorkspaceInputs(root),
      now: () => performance.now(),
      signal: stop.signal,
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
