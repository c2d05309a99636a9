import { TROUBLESHOOTING } from '../../../lib/advice';
import { commandLine } from '../../../lib/runner';
import { DeployError, helmTarget, kubectlTarget, type StepContext, type Target } from '../context';
import { deployFingerprint, FINGERPRINT_LABEL, MIGRATIONS_LABEL, migrationsKey } from '../fingerprint';
import { summarizeManifests } from '../manifests';
import { diagnose } from './diagnose';
import type { ImageRefs } from './images';
import { imageValues } from './transport';

/** Tells the chart to leave its migration Job out of this upgrade (deploy/helm/todo-stack: an install migrates). */
const SKIP_MIGRATIONS = 'backend.migrations.runOnUpgrade=false';

/**
 * What helm is given besides the chart: -f files, then the image refs (and, for an upgrade that need not migrate,
 * SKIP_MIGRATIONS), then the user's --set pairs, which win.
 */
function helmValues(
  ctx: StepContext,
  refs: ImageRefs,
  migrations: MigrationsPlan = { run: true },
): { files: string[]; sets: string[] } {
  return {
    files: ctx.o.valuesFiles.flatMap((file) => ['-f', file]),
    sets: [...imageValues(ctx.o, refs), ...(migrations.run ? [] : [SKIP_MIGRATIONS]), ...ctx.o.set],
  };
}

const setArgs = (sets: string[]) => sets.flatMap((pair) => ['--set', pair]);

export type ReleaseState = 'unchanged' | 'changed' | 'forced';

interface Revision {
  name?: string;
  status?: string;
  revision?: string;
}

/**
 * The release's latest revision, whatever its status, when it carries `label` (key=value); else undefined. Helm
 * stores `--labels` on the revision's own record and `helm list` shows one revision per release, the latest.
 * Throws when helm cannot tell.
 */
async function latestRevisionLabelled(ctx: StepContext, target: Target, label: string): Promise<Revision | undefined> {
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

export function fingerprintOf(ctx: StepContext, refs: ImageRefs): string {
  return deployFingerprint(ctx.root, ctx.o, helmValues(ctx, refs).sets);
}

/** Whether an upgrade runs the chart's migration Job, and the migrations key its revision is labelled with. */
interface MigrationsPlan {
  run: boolean;
  key?: string;
}

/** The migrations key of this deploy, without asking the cluster: the Job runs unless migrationsPlan says not. */
function migrationsKeyOf(ctx: StepContext): MigrationsPlan & { unknown?: string } {
  const computed = migrationsKey(ctx.root, ctx.o);
  return 'unknown' in computed ? { run: true, unknown: computed.unknown } : { run: true, key: computed.key };
}

/**
 * Step "release: migrations". The migration Job is left out only when the release's latest revision is `deployed`
 * and carries this upgrade's migrations key: the database already ran these migrations, since that revision
 * either ran its Job or was itself deployed on a predecessor's key (a first install always migrates). Another
 * key, no key, a failed or pending latest revision, no release or an unreadable one, or --force: the Job runs.
 */
async function migrationsPlan(ctx: StepContext, target: Target): Promise<MigrationsPlan> {
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

interface DeploymentState {
  generation: number;
  images: string[];
}

/** The Deployments of the release (name → generation and images), from `kubectl get deployments -o json`. */
export function parseDeployments(json: string): Map<string, DeploymentState> {
  const states = new Map<string, DeploymentState>();
  const list = JSON.parse(json) as {
    items?: {
      metadata?: { name?: string; generation?: number };
      spec?: { template?: { spec?: { containers?: { image?: string }[] } } };
    }[];
  };
  for (const item of list.items ?? []) {
    const name = item.metadata?.name;
    if (!name) continue;
    states.set(name, {
      generation: item.metadata?.generation ?? 0,
      images: (item.spec?.template?.spec?.containers ?? []).map((c) => c.image ?? ''),
    });
  }
  return states;
}

async function deployments(ctx: StepContext, target: Target): Promise<Map<string, DeploymentState>> {
  const result = await ctx.read('kubectl', [
    ...kubectlTarget(ctx, target),
    'get',
    'deployments',
    '-l',
    `app.kubernetes.io/instance=${ctx.o.release}`,
    '-o',
    'json',
  ]);
  if (result.code !== 0) return new Map();
  try {
    return parseDeployments(result.stdout);
  } catch {
    return new Map();
  }
}

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
  const { files, sets } = helmValues(ctx, refs);
  ctx.say(`  [dry-run] ${commandLine('helm', upgradeArgs(ctx, target, files, sets, fingerprint, migrations))}`);
  if (!helm) {
    ctx.warn('helm is missing: cannot render the chart; install helm to see what would be deployed.');
    return;
  }
  const template = ['template', o.release, o.chart, '--namespace', o.namespace, ...files, ...setArgs(sets)];
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

function upgradeArgs(
  ctx: StepContext,
  target: Target,
  files: string[],
  sets: string[],
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
    ...files,
    ...setArgs(sets),
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
 * When the release's latest revision failed, rolls back to the last good one first. Why: `helm upgrade` after a
 * failed revision diffs against the last *deployed* revision (helm's action/upgrade.go prepareUpgrade), so what
 * the failed revision changed in the cluster (e.g. a bad env var) stays and the next upgrade fails the same way.
 */
async function rollbackFailed(ctx: StepContext, target: Target): Promise<void> {
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

/**
 * Step "release": helm upgrade --install --wait, then which Deployments rolled. When helm fails or times out,
 * the diagnose step explains every pod that is not Ready before the executor exits non-zero.
 */
export async function upgrade(ctx: StepContext, target: Target, refs: ImageRefs, fingerprint: string): Promise<void> {
  const { o } = ctx;
  ctx.step(`helm upgrade --install ${o.release} (namespace ${o.namespace}, context ${target.context})`);
  await rollbackFailed(ctx, target);
  const migrations = await migrationsPlan(ctx, target);
  const { files, sets } = helmValues(ctx, refs, migrations);
  const before = await deployments(ctx, target);
  const args = upgradeArgs(ctx, target, files, sets, fingerprint, migrations);
  ctx.say(`  $ ${commandLine('helm', args)}`);
  const result = await ctx.runner.run('helm', args);
  if (result.code !== 0) {
    await diagnose(ctx, target);
    throw new DeployError(
      `helm upgrade failed or the release did not get ready within ${o.timeout} (each pod that is not Ready is explained above). More: ${TROUBLESHOOTING}.`,
    );
  }
  for (const [name, state] of await deployments(ctx, target)) {
    const previous = before.get(name);
    if (!previous) ctx.say(`  ${name}: created (${state.images.join(', ')})`);
    else if (previous.generation === state.generation)
      ctx.say(`  ${name}: unchanged, no rollout (generation ${state.generation})`);
    else
      ctx.say(
        `  ${name}: rolled out (generation ${previous.generation} → ${state.generation}: ${state.images.join(', ')})`,
      );
  }
}

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
