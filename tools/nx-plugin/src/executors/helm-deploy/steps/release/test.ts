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

/**
 * Whether the release's last `helm test` passed (`helm status -o json`: the test hooks' last_run). An unchanged
 * release whose tests failed or never ran is tested again rather than reported as fine.
 */
export async function lastTestPassed(ctx: StepContext, target: Target): Promise<boolean> {
  const status = await ctx.read('helm', ['status', ctx.o.release, ...helmTarget(ctx, target), '--output', 'json']);
  if (status.code !== 0) return false;
  try {
    const hooks = (JSON.parse(status.stdout) as { hooks?: { events?: string[]; last_run?: { phase?: string } }[] })
      .hooks;
    const tests = (hooks ?? []).filter((hook) => hook.events?.includes('test'));
    return tests.length > 0 && tests.every((hook) => hook.last_run?.phase === 'Succeeded');
  } catch {
    return false;
  }
}
