import { TROUBLESHOOTING } from '../../../../lib/advice.ts';
import { commandLine } from '../../../../lib/runner.ts';
import { DeployError, helmTarget, type StepContext, type Target } from '../../context.ts';
import { diagnose } from '../diagnose.ts';

/**
 * Step "test": the chart's smoke tests (helm test). No `--logs`: the chart deletes a passing test pod at once
 * (hook-succeeded), so helm could not read its logs and would fail; a failing test pod is kept, and the diagnosis
 * prints its reason and log lines.
 */
export async function helmTest(ctx: StepContext, target: Target): Promise<void> {
  const { o } = ctx;
  if (!o.helmTest) return;
  ctx.step('helm test');
  const args = ['test', o.release, ...helmTarget(ctx, target), '--timeout', '5m'];
  if (o.dryRun) return ctx.say(`  [dry-run] ${commandLine('helm', args)}`);
  ctx.say(`  $ ${commandLine('helm', args)}`);
  if ((await ctx.runner.run('helm', args)).code === 0) return;
  await diagnose(ctx, target);
  throw new DeployError(
    `helm test failed: the release is up but its smoke tests did not pass (the failing test pod is explained above). More: ${TROUBLESHOOTING}.`,
  );
}

/** What an unchanged release's report and test decision need, from one `helm status -o json` of its latest revision. */
export interface DeployedRelease {
  /** Whether its last `helm test` passed (the test hooks' last_run): tests that failed or never ran run again. */
  testsPassed: boolean;
  /** Its manifest, where the report finds the frontend's Service. */
  manifest?: string;
}

/**
 * The release's latest revision as `helm status -o json` prints it (the release without its chart: hooks with their
 * last run, manifest). Undefined when helm cannot read it (no release yet); read-only, so the deploy asks for it
 * while `helm list` compares the fingerprint, and uses it only when nothing changed.
 */
export async function deployedRelease(ctx: StepContext, target: Target): Promise<DeployedRelease | undefined> {
  const status = await ctx.read('helm', ['status', ctx.o.release, ...helmTarget(ctx, target), '--output', 'json']);
  if (status.code !== 0) return undefined;
  try {
    const release = JSON.parse(status.stdout) as {
      hooks?: { events?: string[]; last_run?: { phase?: string } }[];
      manifest?: string;
    };
    const tests = (release.hooks ?? []).filter((hook) => hook.events?.includes('test'));
    return {
      testsPassed: tests.length > 0 && tests.every((hook) => hook.last_run?.phase === 'Succeeded'),
      ...(typeof release.manifest === 'string' ? { manifest: release.manifest } : {}),
    };
  } catch {
    return { testsPassed: false };
  }
}
