import type { Runner } from '../../lib/runner.ts';
import { DeployError, stepContext, type StepContext, type Target, type Workspace } from './context.ts';
import type { NormalizedOptions } from './options.ts';
import { cluster } from './steps/cluster.ts';
import { frontDoor } from './steps/front-door.ts';
import { images, readRefs } from './steps/images.ts';
import { fingerprintOf, releaseState } from './steps/release/state.ts';
import { deployedRelease, helmTest } from './steps/release/test.ts';
import { previewRelease, upgrade } from './steps/release/upgrade.ts';
import { report } from './steps/report.ts';
import { checkTools } from './steps/tools.ts';
import { transport } from './steps/transport.ts';
import { PhaseTimings } from './timings.ts';

export interface DeployResult {
  ok: boolean;
  /** The cluster, once the cluster step found it (also when a later step failed): watch mode goes on there. */
  target?: Target;
}

/** --live: what the deploy asks of the live session (live/session.ts) once it knows the cluster. */
export interface LivePreparation {
  prepare(ctx: StepContext, target: Target): Promise<Target>;
}

/**
 * The deploy as a sequence of steps: tools, cluster, images, fingerprint, load, front door, release, test, report;
 * ok is false (after printing what to do) on the first failure, and it never throws for an expected failure. It also
 * says which cluster it deployed to (watch mode goes on there). Read-only calls that do not depend on each other run
 * side by side (Docker's image lookup beside the cluster step; the release's status beside the fingerprint
 * comparison), so a re-run with nothing changed waits for two rounds of CLI calls, not seven calls in a row.
 * `timings` records each phase (printed with --verbose). `live` (--live) prepares the pods' code once the cluster is
 * known (its workspace path is part of the release's values).
 */
export async function deployTo(
  o: NormalizedOptions,
  runner: Runner,
  workspace: Workspace,
  timings = new PhaseTimings(),
  live?: LivePreparation,
): Promise<DeployResult> {
  const ctx = stepContext(o, runner, workspace);
  const time = timings.time.bind(timings);
  let target: Target | undefined;
  try {
    const missing = checkTools(ctx, !o.kubeContext);
    const lookup = time('docker image inspect', () => readRefs(ctx));
    // Awaited by the images step; a failed cluster step must not leave it rejected and unobserved.
    lookup.catch(() => undefined);
    target = await time('cluster', () => cluster(ctx));
    const clusterTarget = target;
    if (live) target = await time('live update', () => live.prepare(ctx, clusterTarget));
    const found = target;
    const refs = await time('images', () => images(ctx, lookup));
    const fingerprint = fingerprintOf(ctx, found, refs);
    if (o.dryRun) {
      await transport(ctx, found, refs);
      await frontDoor(ctx, found);
      await previewRelease(ctx, found, refs, fingerprint, !missing.includes('helm'));
      await helmTest(ctx, found);
      await report(ctx, found, 'dry-run');
      return { ok: true, target };
    }
    const release = o.force ? undefined : time('helm status', () => deployedRelease(ctx, found));
    // An unchanged release: its pods already run these images, so nothing is loaded, upgraded or tested.
    if ((await time('release fingerprint', () => releaseState(ctx, found, fingerprint))) === 'unchanged') {
      const deployed = await release;
      // ...unless its smoke tests did not pass last time: then only they run again.
      if (o.helmTest && !deployed?.testsPassed) {
        ctx.say('  its last helm test did not pass: testing again');
        await time('helm test', () => helmTest(ctx, found));
      }
      await time('report', () => report(ctx, found, 'unchanged', deployed?.manifest));
      return { ok: true, target };
    }
    // Images first: the front door's own image may be one of --extraImages (a node that cannot pull it).
    await time('load', () => transport(ctx, found, refs));
    await time('front door', () => frontDoor(ctx, found));
    await time('upgrade', () => upgrade(ctx, found, refs, fingerprint));
    await time('helm test', () => helmTest(ctx, found));
    await time('report', () => report(ctx, found, 'deployed'));
    return { ok: true, target };
  } catch (error) {
    if (!(error instanceof DeployError)) throw error;
    runner.error(`✖ deploy: ${error.message}`);
    return { ok: false, target };
  }
}
