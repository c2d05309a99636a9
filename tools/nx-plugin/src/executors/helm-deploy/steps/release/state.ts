import { helmTarget, type StepContext, type Target } from '../../context.ts';
import { deployFingerprint, FINGERPRINT_LABEL } from '../../fingerprint.ts';
import { chartValues, helmValues } from '../../values.ts';
import type { ImageRefs } from '../images.ts';

export type ReleaseState = 'unchanged' | 'changed' | 'forced';

export interface Revision {
  name?: string;
  status?: string;
  revision?: string;
}

/**
 * The release's latest revision, whatever its status, when it carries `label` (key=value); else undefined. Helm
 * stores `--labels` on the revision's own record and `helm list` shows one revision per release, the latest.
 * Throws when helm cannot tell.
 */
export async function latestRevisionLabelled(
  ctx: StepContext,
  target: Target,
  label: string,
): Promise<Revision | undefined> {
  const { o } = ctx;
  const listed = await ctx.read('helm', [
    'list',
    ...helmTarget(ctx, target),
    '--filter',
    `^${o.release.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`,
    '--all',
    '--selector',
    label,
    '--output',
    'json',
  ]);
  if (listed.code !== 0) throw new Error(listed.stderr.trim() || `exit code ${listed.code}`);
  return (JSON.parse(listed.stdout || '[]') as Revision[]).find((release) => release.name === o.release);
}

/**
 * Step "release: fingerprint": `unchanged` when the release's latest revision is `deployed` and carries this
 * fingerprint (then there is nothing to upgrade, test or load). A failed or pending revision, another
 * fingerprint, no release at all, or --force: deploy.
 */
export async function releaseState(ctx: StepContext, target: Target, fingerprint: string): Promise<ReleaseState> {
  const { o } = ctx;
  ctx.step('release fingerprint');
  ctx.say(`  ${FINGERPRINT_LABEL}=${fingerprint}`);
  if (o.force) {
    ctx.say('  --force: deploying whatever the release holds');
    return 'forced';
  }
  let same: Revision | undefined;
  try {
    same = await latestRevisionLabelled(ctx, target, `${FINGERPRINT_LABEL}=${fingerprint}`);
  } catch (error) {
    ctx.say(`  cannot read the release (helm list: ${(error as Error).message}): deploying`);
    return 'changed';
  }
  if (same?.status === 'deployed') {
    ctx.say(`  revision ${same.revision} is deployed with these inputs`);
    return 'unchanged';
  }
  ctx.say(
    same
      ? `  revision ${same.revision} has these inputs but is ${same.status}: deploying again`
      : '  the chart, values or images differ from the deployed release: deploying',
  );
  return 'changed';
}

/**
 * The release fingerprint of a deploy of `refs` (see fingerprint.ts). Whether the migration Job runs is left out:
 * it is decided against the release after this comparison.
 */
export function fingerprintOf(ctx: StepContext, target: Target, refs: ImageRefs): string {
  return deployFingerprint(ctx.root, ctx.o, helmValues(ctx.o, chartValues(ctx.o, target, refs)).sets);
}
