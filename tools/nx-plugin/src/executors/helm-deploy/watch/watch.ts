import type { Runner } from '../../../lib/runner.ts';
import {
  DeployError,
  helmTarget,
  kubectlTarget,
  stepContext,
  type StepContext,
  type Target,
  type Workspace,
} from '../context.ts';
import type { DeployResult } from '../deploy.ts';
import { frontendAccess } from '../manifests.ts';
import type { NormalizedOptions } from '../options.ts';
import { Debouncer } from './debounce.ts';
import type { WatchFiles } from './file-watcher.ts';
import type { Spawn } from './processes.ts';
import { Redeployer, type RedeployDeps } from './redeploy.ts';
import { LogStreams, PortForward } from './streams.ts';
import { summaryLine } from './summary.ts';

export interface WatchDeps extends RedeployDeps {
  runner: Runner;
  spawn: Spawn;
  watchFiles: WatchFiles;
  /** Aborted on Ctrl-C / SIGTERM: the watch stops, the release stays (unless --cleanup). */
  signal: AbortSignal;
}

const aborted = (signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });

/** The port-forward to the release's frontend Service (found by its labels in the manifest), unless --port=0. */
async function frontendForward(ctx: StepContext, target: Target, spawn: Spawn): Promise<PortForward | undefined> {
  if (!ctx.o.port) return undefined;
  const manifest = await ctx.read('helm', ['get', 'manifest', ctx.o.release, ...helmTarget(ctx, target)]);
  const frontend = manifest.code === 0 ? frontendAccess(manifest.stdout) : undefined;
  if (!frontend) {
    ctx.warn(`no frontend Service in release ${ctx.o.release}: no port-forward`);
    return undefined;
  }
  const where = kubectlTarget(ctx, target);
  return new PortForward(spawn, ctx.runner, where, frontend.service, frontend.port, ctx.o.port);
}

/**
 * Watch mode, after the first deploy: every debounced burst of changes is one Redeployer loop, one at a time
 * (changes made meanwhile make the next one); the apps' logs stream and the port-forward stays open throughout.
 * Returns when `signal` aborts, after the loop in progress finished.
 */
export async function watch(
  o: NormalizedOptions,
  workspace: Workspace,
  first: Required<DeployResult>,
  deps: WatchDeps,
): Promise<boolean> {
  const { runner } = deps;
  const { target } = first;
  const ctx = stepContext(o, runner, workspace);
  const redeployer = new Redeployer(o, runner, workspace, target, deps);
  // After a failed first deploy (a crashing pod, a bad value) the release runs no known tags: the next loop
  // loads and rolls what it needs. That failure is what the developer is about to fix, so watching goes on.
  if (first.ok) await redeployer.start();
  else runner.error('⚠ the deploy failed (the reason is above); watching anyway: fix it and save.');

  const logs = new LogStreams(deps.spawn, runner, kubectlTarget(ctx, target), o.release);
  for (const app of ctx.apps) logs.follow(app);
  const forward = await frontendForward(ctx, target, deps.spawn);
  forward?.start();

  let pending = new Set<string>();
  let running: Promise<void> | undefined;
  const drain = async () => {
    while (pending.size && !deps.signal.aborted) {
      const files = [...pending].sort();
      pending = new Set();
      try {
        const result = await redeployer.run(files);
        // Ctrl-C reaches the loop's children too (same process group): their failure is the stop, not news.
        if (deps.signal.aborted) break;
        (result.outcome === 'failed' ? runner.error : runner.info).call(runner, summaryLine(result));
        if (result.outcome === 'rolled') for (const app of result.rebuilt) logs.follow(app);
      } catch (error) {
        runner.error(`✖ watch: ${(error as Error).stack ?? String(error)} (still watching)`);
      }
    }
  };
  const debouncer = new Debouncer(o.debounce, (files) => {
    for (const file of files) pending.add(file);
    running ??= drain().finally(() => (running = undefined));
  });
  const watcher = await deps.watchFiles(ctx.root, (files) => debouncer.add(files), o.valuesFiles);
  runner.info(`\n👀 watching ${ctx.root} for changes (Ctrl-C stops${o.cleanup ? ' and uninstalls the release' : ''})`);

  await aborted(deps.signal);
  debouncer.cancel();
  await watcher.close();
  await running;
  await Promise.all([logs.stop(), forward?.stop()]);
  if (!o.cleanup) {
    runner.info(
      `\n■ stopped watching; release ${o.release} keeps running (helm uninstall ${o.release} ${helmTarget(ctx, target).join(' ')} removes it)`,
    );
    return true;
  }
  try {
    await ctx.act(
      'helm',
      ['uninstall', o.release, ...helmTarget(ctx, target), '--wait'],
      `helm uninstall ${o.release} failed (the reason is above).`,
    );
  } catch (error) {
    if (!(error instanceof DeployError)) throw error;
    runner.error(`✖ cleanup: ${error.message}`);
    return false;
  }
  runner.info(`\n■ stopped watching; release ${o.release} uninstalled (--cleanup)`);
  return true;
}
