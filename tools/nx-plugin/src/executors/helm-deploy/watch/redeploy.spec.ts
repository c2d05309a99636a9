import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Target } from '../context.ts';
import { deployTo } from '../deploy.ts';
import { normalizeOptions } from '../options.ts';
import { FakeRelease, FakeRunner, type Handler } from '../testing/fake-runner.ts';
import { migrationsFixture } from '../testing/fake-migrations.ts';
import { FakeImages, GRAPH } from '../testing/fake-workspace.ts';
import { Redeployer, type LoopResult } from './redeploy.ts';
import { summaryLine } from './summary.ts';

const migrations = migrationsFixture();
const o = normalizeOptions({ helmTest: false, migrationsDir: migrations }, { MINIKUBE_PROFILE: 'todo-stack' });

/** A first deploy of both apps, then a Redeployer on the same fake machine (its calls are cleared). */
async function deployed(options = o) {
  const workspace = new FakeImages();
  const release = new FakeRelease();
  // Tests add answers here after the first deploy (a failing upgrade).
  const handlers: Record<string, Handler> = { ...workspace.handlers(), ...release.handlers() };
  const runner = new FakeRunner(handlers);
  const { ok, target } = await deployTo(options, runner, workspace.workspace());
  expect(ok).toBe(true);
  expect(target).toEqual({ context: 'todo-stack', minikube: true });
  let clock = 0;
  const deps = { graph: async () => GRAPH, now: () => (clock += 100) };
  const redeployer = new Redeployer(options, runner, workspace.workspace(), target as Target, deps);
  await redeployer.start();
  runner.calls = [];
  runner.out = [];
  runner.err = [];
  workspace.builds = [];
  return { workspace, release, runner, redeployer, handlers, target, deps };
}

const upgrades = (runner: FakeRunner) => runner.calls.filter((call) => call.startsWith('helm upgrade'));
const loads = (runner: FakeRunner) => runner.calls.filter((call) => call.includes(' image load '));

describe('Redeployer: changed files → affected apps → images → release', () => {
  it('rebuilds, loads and rolls only the app whose image tag changed', async () => {
    const { workspace, release, runner, redeployer } = await deployed();
    workspace.sources.backend = 'nx-112';
    const result = await redeployer.run(['apps/backend/src/main.ts']);
    expect(result).toMatchObject({ outcome: 'rolled', affected: ['backend'], rebuilt: ['backend'], upgraded: true });
    expect(workspace.builds).toEqual([['backend']]);
    expect(loads(runner)).toEqual(['minikube -p todo-stack image load todo-backend:nx-112']);
    const [upgrade] = upgrades(runner);
    expect(upgrade).toContain('--set backend.image.tag=nx-112');
    expect(upgrade).toContain('--set frontend.image.tag=nx-222');
    expect(upgrade).toContain('--wait --timeout 2m');
    expect(release.revision).toBe(2);
    expect(result.phases.map((p) => p.phase)).toEqual(['graph', 'build', 'load', 'roll']);
    // The steps' own output is not printed when the loop went well: the caller prints one line.
    expect(runner.output).toBe('');
  });

  it("rolls a source edit without the chart's migration Job, and runs it after a migration edit", async () => {
    const migrationsDir = migrationsFixture();
    const { workspace, release, redeployer } = await deployed({ ...o, migrationsDir });
    const skips = () => release.upgrades.map((sets) => sets.includes('backend.migrations.runOnUpgrade=false'));
    workspace.sources.backend = 'nx-112';
    await redeployer.run(['apps/backend/src/main.ts']);
    writeFileSync(path.join(migrationsDir, '0001_tags.sql'), 'ALTER TABLE "todos" ADD "tag" text;\n');
    workspace.sources.backend = 'nx-113';
    await redeployer.run(['apps/backend/drizzle/0001_tags.sql']);
    workspace.sources.backend = 'nx-114';
    await redeployer.run(['apps/backend/src/main.ts']);
    // The first deploy (an install), the source edit, the migration, the next source edit.
    expect(skips()).toEqual([false, true, false, true]);
  });

  it('transport=registry: pushes only the rebuilt app, not the extra images the first deploy moved', async () => {
    const registry = normalizeOptions(
      { helmTest: false, transport: 'registry', registry: 'localhost:16500', extraImages: ['postgres:17.6'] },
      { MINIKUBE_PROFILE: 'todo-stack' },
    );
    const { workspace, runner, redeployer } = await deployed(registry);
    workspace.sources.backend = 'nx-112';
    const result = await redeployer.run(['apps/backend/src/main.ts']);
    expect(result).toMatchObject({ outcome: 'rolled', rebuilt: ['backend'] });
    expect(runner.calls.filter((call) => /^docker (tag|push)|image load/.test(call))).toEqual([
      'docker tag todo-backend:nx-112 localhost:16500/todo-backend:nx-112',
      'docker push localhost:16500/todo-backend:nx-112',
    ]);
    // Minikube: pushed through --registry (e.g. a port-forward), pulled by the nodes from the addon's localhost:5000.
    expect(upgrades(runner)[0]).toContain('--set backend.image.repository=localhost:5000/todo-backend');
  });

  it('a change to the shared lib builds both apps', async () => {
    const { workspace, redeployer } = await deployed();
    workspace.sources.frontend = 'nx-223';
    const result = await redeployer.run(['libs/shared/src/tasks.ts']);
    expect(workspace.builds).toEqual([['backend', 'frontend']]);
    expect(result).toMatchObject({ outcome: 'rolled', rebuilt: ['frontend'] });
  });

  it('a test file of an app: its container target runs, the tag (task hash) is the same, nothing loads or rolls', async () => {
    const { workspace, runner, redeployer } = await deployed();
    const result = await redeployer.run(['apps/backend/src/app/app.spec.ts']);
    expect(workspace.builds).toEqual([['backend']]);
    expect(result).toMatchObject({ outcome: 'unchanged', rebuilt: [], upgraded: false });
    expect(upgrades(runner)).toEqual([]);
    expect(loads(runner)).toEqual([]);
    expect(summaryLine(result)).toMatch(/backend: same image tags \(Nx cache\), nothing rolled/);
  });

  it('another project (an e2e suite on the backend) builds nothing and asks nothing of the cluster', async () => {
    const { workspace, runner, redeployer } = await deployed();
    const result = await redeployer.run(['apps/backend-e2e/src/tasks.test.ts']);
    expect(result.outcome).toBe('unaffected');
    expect(workspace.builds).toEqual([]);
    expect(runner.calls).toEqual([]);
  });

  it('a chart change builds no image and upgrades the release (its fingerprint differs)', async () => {
    const { workspace, runner, target, deps } = await deployed();
    // The fingerprint reads the chart on disk; a --set pair changes it the way a values edit does.
    const changed = new Redeployer(
      { ...o, set: ['backend.replicas=2'] },
      runner,
      workspace.workspace(),
      target as Target,
      deps,
    );
    await changed.start();
    const result = await changed.run(['deploy/helm/todo-stack/values-dev.yaml']);
    expect(workspace.builds).toEqual([]);
    expect(result).toMatchObject({ outcome: 'rolled', rebuilt: [], upgraded: true });
  });

  it('a revert to a tag built before rolls back to it', async () => {
    const { workspace, redeployer, runner } = await deployed();
    workspace.sources.backend = 'nx-112';
    await redeployer.run(['apps/backend/src/main.ts']);
    workspace.sources.backend = 'nx-111';
    const result = await redeployer.run(['apps/backend/src/main.ts']);
    expect(result).toMatchObject({ outcome: 'rolled', rebuilt: ['backend'] });
    expect(upgrades(runner)[1]).toContain('--set backend.image.tag=nx-111');
  });

  it('a build error: prints the build output and the reason, deploys nothing; the next edit deploys', async () => {
    const { workspace, runner, redeployer } = await deployed();
    workspace.buildError =
      "apps/backend/src/main.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.";
    workspace.sources.backend = 'nx-113';
    const failed: LoopResult = await redeployer.run(['apps/backend/src/main.ts']);
    expect(failed.outcome).toBe('failed');
    expect(failed.error).toMatch(/the backend image build failed/);
    expect(runner.err.join('\n')).toContain('error TS2322');
    expect(upgrades(runner)).toEqual([]);
    expect(summaryLine(failed)).toMatch(
      /^✖ changed apps\/backend\/src\/main.ts │ the backend image build failed.*still watching/,
    );

    workspace.buildError = undefined;
    runner.err = [];
    const fixed = await redeployer.run(['apps/backend/src/main.ts']);
    expect(fixed).toMatchObject({ outcome: 'rolled', rebuilt: ['backend'] });
    expect(runner.err).toEqual([]);
  });

  it('a failing rollout: prints the diagnosis of the pods that are not Ready', async () => {
    const crashing = JSON.stringify({
      items: [
        {
          metadata: { name: 'todo-stack-backend-7d9f-x2' },
          status: {
            phase: 'Running',
            containerStatuses: [
              {
                name: 'backend',
                ready: false,
                restartCount: 3,
                state: { waiting: { reason: 'CrashLoopBackOff' } },
                lastState: { terminated: { reason: 'Error', exitCode: 1 } },
              },
            ],
          },
        },
      ],
    });
    const { workspace, runner, redeployer, handlers } = await deployed();
    Object.assign(handlers, {
      'helm upgrade': () => ({ code: 1, stderr: 'Error: UPGRADE FAILED: context deadline exceeded' }),
      'kubectl --context todo-stack --namespace todo get pods': () => ({ stdout: crashing }),
      'kubectl --context todo-stack --namespace todo logs': () => ({ stdout: 'Error: DATABASE_URL is not set' }),
    });
    workspace.sources.backend = 'nx-114';
    const result = await redeployer.run(['apps/backend/src/main.ts']);
    expect(result.outcome).toBe('failed');
    expect(result.error).toMatch(/helm upgrade failed or the release did not get ready/);
    const printed = runner.err.join('\n');
    expect(printed).toContain('UPGRADE FAILED');
    expect(printed).toContain('CrashLoopBackOff');
    expect(printed).toContain('DATABASE_URL is not set');
  });
});
