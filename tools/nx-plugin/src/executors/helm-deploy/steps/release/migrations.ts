import type { StepContext, Target } from '../../context.ts';
import { MIGRATIONS_LABEL, migrationsKey } from '../../fingerprint.ts';
import { latestRevisionLabelled, type Revision } from './state.ts';

/** Whether an upgrade runs the chart's migration Job, and the migrations key its revision is labelled with. */
export interface MigrationsPlan {
  run: boolean;
  key?: string;
}

/** The migrations key of this deploy, without asking the cluster: the Job runs unless migrationsPlan says not. */
export function migrationsKeyOf(ctx: StepContext): MigrationsPlan & { unknown?: string } {
  const computed = migrationsKey(ctx.root, ctx.o);
  return 'unknown' in computed ? { run: true, unknown: computed.unknown } : { run: true, key: computed.key };
}

/**
 * Step "release: migrations". The migration Job is left out only when the release's latest revision is `deployed`
 * and carries this upgrade's migrations key: the database already ran these migrations, since that revision
 * either ran its Job or was itself deployed on a predecessor's key (a first install always migrates). Another
 * key, no key, a failed or pending latest revision, no release or an unreadable one, or --force: the Job runs.
 */
export async function migrationsPlan(ctx: StepContext, target: Target): Promise<MigrationsPlan> {
  const { key, unknown } = migrationsKeyOf(ctx);
  if (!key) {
    ctx.say(`  migrations: the chart's Job runs (${unknown})`);
    return { run: true };
  }
  if (ctx.o.force) {
    ctx.say("  migrations: --force: the chart's Job runs");
    return { run: true, key };
  }
  let latest: Revision | undefined;
  try {
    latest = await latestRevisionLabelled(ctx, target, `${MIGRATIONS_LABEL}=${key}`);
  } catch (error) {
    ctx.say(`  migrations: the chart's Job runs (cannot read the release: ${(error as Error).message})`);
    return { run: true, key };
  }
  if (latest?.status === 'deployed') {
    ctx.say(
      `  migrations: as in deployed revision ${latest.revision} (same migrations, chart, values and --set pairs): the chart's Job is left out`,
    );
    return { run: false, key };
  }
  ctx.say(
    latest
      ? `  migrations: revision ${latest.revision} has these migrations but is ${latest.status}: the chart's Job runs`
      : `  migrations: changed since the deployed revision (or a first install): the chart's Job runs`,
  );
  return { run: true, key };
}
