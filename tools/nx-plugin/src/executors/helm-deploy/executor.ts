import type { ExecutorContext, ProjectGraph } from '@nx/devkit';
import { readProfile } from '../../lib/profile.ts';
import { processRunner, type Runner } from '../../lib/runner.ts';
import { DeployError, type Workspace } from './context.ts';
import { deployTo, type DeployResult } from './deploy.ts';
import type { LiveSession } from './live/session.ts';
import { normalizeOptions, type NormalizedOptions } from './options.ts';
import type { HelmDeployExecutorSchema } from './schema.js';
import { PhaseTimings, timingsWanted } from './timings.ts';
import { watchFiles } from './watch/file-watcher.ts';
import { nxWorkspaceInputs } from './watch/inputs.ts';
import { processSpawner } from './watch/processes.ts';
import { watch } from './watch/watch.ts';
import { projectGraphOf, workspaceOf } from './workspace.ts';

/** The project whose target runs this executor when Nx does not say (the executor called directly). */
const DEFAULT_PROJECT = 'deploy';

/**
 * `nx run deploy:minikube`: the cluster up (a Minikube profile, or a kube context), the images of the apps the
 * deploy project depends on in it, helm upgrade --install --wait (skipped when the release already has these
 * inputs), helm test, the URL. With --watch it then redeploys what each edit affects until Ctrl-C. Returns
 * { success: false } with a printed reason rather than throwing. With --verbose it ends with the time of each phase.
 */
export default async function runExecutor(
  options: HelmDeployExecutorSchema,
  context: Pick<ExecutorContext, 'root'> & Partial<Pick<ExecutorContext, 'projectName' | 'projectGraph'>>,
  runner: Runner = processRunner(context.root),
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ success: boolean }> {
  const timings = new PhaseTimings();
  let o: NormalizedOptions;
  let graph: ProjectGraph;
  let workspace: Workspace;
  try {
    o = normalizeOptions(options, readProfile(context.root));
    if (o.watch && o.dryRun)
      throw new DeployError('--watch redeploys on every change; it cannot be combined with --dry-run.');
    if (o.live && !o.watch)
      throw new DeployError('--live is a mode of the watch loop: add --watch (or run nx run deploy:dev --live).');
    graph = await timings.time('graph', () => projectGraphOf(context));
    workspace = workspaceOf(graph, context.root, context.projectName ?? DEFAULT_PROJECT, env);
  } catch (error) {
    runner.error(`✖ deploy: ${(error as Error).message}`);
    return { success: false };
  }
  let live: LiveSession | undefined;
  if (o.live) {
    try {
      // Loaded only here: esbuild and @nx/esbuild are no part of a deploy without --live.
      live = await (await import('./live/session.ts')).LiveSession.start(context.root, graph, workspace.apps);
    } catch (error) {
      runner.error(`✖ deploy: live update cannot build the apps here: ${(error as Error).message}`);
      return { success: false };
    }
  }
  try {
    const { ok, target } = await deployTo(o, runner, workspace, timings, live);
    if (timingsWanted(env)) runner.info(`\n⏱ ${timings.summary()}`);
    if (!o.watch) return { success: ok };
    // Without a cluster (missing tools, Minikube not starting) there is nothing to watch for.
    if (!target) return { success: false };
    return { success: await watchUntilSignal(o, workspace, { ok, target }, runner, live) };
  } finally {
    await live?.dispose();
  }
}

/** Watch mode wired to the real world: the file watcher, child processes, Nx's project graph, SIGINT/SIGTERM. */
async function watchUntilSignal(
  o: NormalizedOptions,
  workspace: Workspace,
  first: Required<DeployResult>,
  runner: Runner,
  live: LiveSession | undefined,
): Promise<boolean> {
  // Each loop reads the graph every Nx command writes to .nx/workspace-data (projects and imports change while
  // watching): the previous loop's `nx run-many` (or the deploy itself) refreshed it, and reading it takes
  // milliseconds where computing it takes seconds. A project created since then owns none of the changed files,
  // which then count as affecting every app (see affectedBy).
  const graph = () => projectGraphOf({});
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await watch(o, workspace, first, {
      runner,
      spawn: processSpawner(workspace.root),
      watchFiles,
      graph,
      inputs: nxWorkspaceInputs(workspace.root),
      now: () => performance.now(),
      signal: stop.signal,
      live,
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
