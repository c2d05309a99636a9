import type { Runner } from '../../lib/runner.ts';
import { DeployError, stepContext, type StepContext, type Target, type Workspace } from './context.ts';
import type { NormalizedOptions } from './options.ts';
import { cluster } from './steps/cluster.ts';
import { frontDoor } from './steps/front-door.ts';
import { images } from './steps/images.ts';
import { fingerprintOf, releaseState } from './steps/release/state.ts';
import { helmTest, lastTestPassed } from './steps/release/test.ts';
import { previewRelease, upgrade } from './steps/release/upgrade.ts';
import { report } from './steps/report.ts';
import { checkTools } from './steps/tools.ts';
import { transport } from './steps/transport.ts';

/**
 * The deploy as a sequence of steps: tools, cluster, images, fingerprint, load, front door, release, test, report. Returns
 * false (after printing what to do) on the first failure; never throws for an expected failure.
 */
export async function deploy(o: NormalizedOptions, runner: Runner, workspace: Workspace): Promise<boolean> {
  return (await deployTo(o, runner, workspace)).ok;
}

export interface DeployResult {
  ok: boolean;
  /** The cluster, once the cluster step found it (also when a later step failed): watch mode goes on there. */
  target?: Target;
}

/** --live: what the deploy asks of the live session (live/session.ts) once it knows the cluster. */
export interface LivePreparation {
  prepare(ctx: StepContext, target: Target): Promise<Target>;
}

/** The same deploy, also saying which cluster it deployed to. */
export async function deployTo(
  o: NormalizedOptions,
  runner: Runner,
  workspace: Workspace,
  live?: LivePreparation,
): Promise<DeployResult> {
  const ctx = stepContext(o, runner, workspace);
  let target: Target | undefined;
  try {
    const missing = checkTools(ctx, !o.kubeContext);
    target = await cluster(ctx);
    if (live) target = await live.prepare(ctx, target);
    const refs = await images(ctx);
    const fingerprint = fingerprintOf(ctx, target, refs);
    if (o.dryRun) {
      await transport(ctx, target, refs);
      await frontDoor(ctx, target);
      await previewRelease(ctx, target, refs, fingerprint, !missing.includes('helm'));
      await helmTest(ctx, target);
      await report(ctx, target, 'dry-run');
      return { ok: true, target };
    }
    // An unchanged release: its pods already run these images, so nothing is loaded, upgraded or tested.
    if ((await releaseState(ctx, target, fingerprint)) === 'unchanged') {
      // ...unless its smoke tests did not pass last time: then only they run again.
      if (o.helmTest && !(await lastTestPassed(ctx, target))) {
        ctx.say('  its last helm test did not pass: testing again');
        await helmTest(ctx, target);
      }
      await report(ctx, target, 'unchanged');
      return { ok: true, target };
    }
    // Images first: the front door's own image may be one of --extraImages (a node that cannot pull it).
    await transport(ctx, target, refs);
    await frontDoor(ctx, target);
    await upgrade(ctx, target, refs, fingerprint);
    await helmTest(ctx, target);
    await report(ctx, target, 'deployed');
    return { ok: true, target };
  } catch (error) {
    if (!(error instanceof DeployError)) throw error;
    runner.error(`✖ deploy: ${error.message}`);
    return { ok: false, target };
  }
}
