import { TROUBLESHOOTING } from '../../../../lib/advice.ts';
import { commandLine } from '../../../../lib/runner.ts';
import { DeployError, type StepContext, type Target } from '../../context.ts';
import { FINGERPRINT_LABEL, MIGRATIONS_LABEL } from '../../fingerprint.ts';
import { summarizeManifests } from '../../manifests.ts';
import { chartValues, helmValueArgs, helmValues, type HelmValues } from '../../values.ts';
import { diagnose } from '../diagnose.ts';
import type { ImageRefs } from '../images.ts';
import { migrationsKeyOf, migrationsPlan, type MigrationsPlan } from './migrations.ts';
import { rollbackFailed } from './rollback.ts';
import { deployments, reportRollout } from './rollout.ts';

/** Dry run: prints the upgrade it would run and renders the release with `helm template` (or says why not). */
export async function previewRelease(
  ctx: StepContext,
  target: Target,
  refs: ImageRefs,
  fingerprint: string,
  helm: boolean,
): Promise<void> {
  const { o } = ctx;
  ctx.step(`helm upgrade --install ${o.release} (namespace ${o.namespace})`);
  // Whether the migration Job can be left out is decided against the release when deploying.
  const migrations = migrationsKeyOf(ctx);
  const values = helmValues(o, chartValues(o, target, refs));
  ctx.say(`  [dry-run] ${commandLine('helm', upgradeArgs(ctx, target, values, fingerprint, migrations))}`);
  if (!helm) {
    ctx.warn('helm is missing: cannot render the chart; install helm to see what would be deployed.');
    return;
  }
  const template = ['template', o.release, o.chart, '--namespace', o.namespace, ...helmValueArgs(values)];
  ctx.say(`  $ ${commandLine('helm', template)}`);
  const rendered = await ctx.read('helm', template);
  if (rendered.code !== 0) {
    ctx.runner.error(rendered.stderr.trim());
    throw new DeployError('helm template failed: the values do not render (the reason is above).');
  }
  const { resources, images } = summarizeManifests(rendered.stdout);
  ctx.say(`  renders ${resources.length} resources: ${resources.join(', ')}`);
  ctx.say(`  images: ${images.join(', ')}`);
}

/** `helm upgrade --install` with the values, the revision's labels (fingerprint, migrations key) and --wait. */
function upgradeArgs(
  ctx: StepContext,
  target: Target,
  values: HelmValues,
  fingerprint: string,
  migrations: MigrationsPlan,
) {
  const { o } = ctx;
  const labels = [`${FINGERPRINT_LABEL}=${fingerprint}`];
  if (migrations.key) labels.push(`${MIGRATIONS_LABEL}=${migrations.key}`);
  return [
    'upgrade',
    '--install',
    o.release,
    o.chart,
    '--namespace',
    o.namespace,
    '--create-namespace',
    ...helmValueArgs(values),
    '--labels',
    labels.join(','),
    '--wait',
    '--timeout',
    o.timeout,
    '--kube-context',
    target.context,
  ];
}

/**
 * Step "release": helm upgrade --install --wait, then which Deployments rolled. When helm fails or times out,
 * the diagnose step explains every pod that is not Ready before the executor exits non-zero.
 */
export async function upgrade(ctx: StepContext, target: Target, refs: ImageRefs, fingerprint: string): Promise<void> {
  const { o } = ctx;
  ctx.step(`helm upgrade --install ${o.release} (namespace ${o.namespace}, context ${target.context})`);
  await rollbackFailed(ctx, target);
  const migrations = await migrationsPlan(ctx, target);
  const values = helmValues(o, chartValues(o, target, refs, { migrate: migrations.run }));
  const before = await deployments(ctx, target);
  const args = upgradeArgs(ctx, target, values, fingerprint, migrations);
  ctx.say(`  $ ${commandLine('helm', args)}`);
  const result = await ctx.runner.run('helm', args);
  if (result.code !== 0) {
    await diagnose(ctx, target);
    throw new DeployError(
      `helm upgrade failed or the release did not get ready within ${o.timeout} (each pod that is not Ready is explained above). More: ${TROUBLESHOOTING}.`,
    );
  }
  reportRollout(ctx, before, await deployments(ctx, target));
}
