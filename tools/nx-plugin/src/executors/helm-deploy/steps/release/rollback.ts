import { TROUBLESHOOTING } from '../../../../lib/advice.ts';
import { helmTarget, type StepContext, type Target } from '../../context.ts';

/**
 * When the release's latest revision failed, rolls back to the last good one first. Why: `helm upgrade` after a
 * failed revision diffs against the last *deployed* revision (helm's action/upgrade.go prepareUpgrade), so what
 * the failed revision changed in the cluster (e.g. a bad env var) stays and the next upgrade fails the same way.
 */
export async function rollbackFailed(ctx: StepContext, target: Target): Promise<void> {
  const history = await ctx.read('helm', ['history', ctx.o.release, ...helmTarget(ctx, target), '--output', 'json']);
  if (history.code !== 0) return; // no release yet
  let revisions: { revision: number; status: string }[];
  try {
    revisions = JSON.parse(history.stdout) as typeof revisions;
  } catch {
    return;
  }
  if (revisions.at(-1)?.status !== 'failed') return;
  const good = revisions.filter((r) => r.status === 'deployed' || r.status === 'superseded').at(-1);
  if (!good) return;
  ctx.say(`  revision ${revisions.at(-1)?.revision} failed: rolling back to revision ${good.revision} first`);
  await ctx.act(
    'helm',
    [
      'rollback',
      ctx.o.release,
      String(good.revision),
      ...helmTarget(ctx, target),
      '--wait',
      '--timeout',
      ctx.o.timeout,
    ],
    `helm rollback to revision ${good.revision} failed (the reason is above). More: ${TROUBLESHOOTING}.`,
  );
}
