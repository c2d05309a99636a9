import type { Target } from '../context.ts';
import { deployTo } from '../deploy.ts';
import { normalizeOptions } from '../options.ts';
import { FakeRelease, FakeRunner } from '../testing/fake-runner.ts';
import { migrationsFixture } from '../testing/fake-migrations.ts';
import { FakeImages, GRAPH } from '../testing/fake-workspace.ts';
import { configuresNx, type WorkspaceInputs } from './inputs.ts';
import { Redeployer } from './redeploy.ts';
import { summaryLine } from './summary.ts';

const o = normalizeOptions({ helmTest: false, migrationsDir: migrationsFixture() }, { MINIKUBE_PROFILE: 'todo-stack' });

/**
 * Nx's file index and hash plan for the fake workspace: `disk` holds each file's content hash (an edit changes it),
 * `images` the files each app's container task (with its build) hashes: sources, not tests.
 */
class FakeInputs implements WorkspaceInputs {
  disk = new Map([
    ['apps/backend/src/main.ts', 'main-1'],
    ['apps/backend/src/app/app.spec.ts', 'spec-1'],
    ['apps/backend/package.json', 'pkg-1'],
    ['apps/frontend/src/app/page.tsx', 'page-1'],
    ['libs/shared/src/tasks.ts', 'tasks-1'],
    ['docs/benchmarks.md', 'docs-1'],
    ['deploy/helm/todo-stack/values-dev.yaml', 'values-1'],
  ]);
  images: Record<string, Set<string>> = {
    backend: new Set(['apps/backend/src/main.ts', 'apps/backend/package.json', 'libs/shared/src/tasks.ts']),
    frontend: new Set(['apps/frontend/src/app/page.tsx', 'libs/shared/src/tasks.ts']),
  };
  inspected: string[][] = [];

  async snapshot() {
    return new Map(this.disk);
  }
  async refresh(files: string[]) {
    return new Map(
      files.flatMap((file) => (this.disk.has(file) ? [[file, this.disk.get(file) as string] as const] : [])),
    );
  }
  async imageInputs(_graph: unknown, apps: string[]) {
    this.inspected.push(apps);
    return this.images;
  }
}

async function watching(options = o) {
  const workspace = new FakeImages();
  const runner = new FakeRunner({ ...workspace.handlers(), ...new FakeRelease().handlers() });
  const { target } = await deployTo(options, runner, workspace.workspace());
  const inputs = new FakeInputs();
  let clock = 0;
  const deps = { graph: async () => GRAPH, now: () => (clock += 100), inputs };
  const redeployer = new Redeployer(options, runner, workspace.workspace(), target as Target, deps);
  await redeployer.start();
  runner.calls = [];
  workspace.builds = [];
  /** Saves `file` with `content` (its content hash) and runs the loop the watcher would. */
  const save = (file: string, content: string) => {
    inputs.disk.set(file, content);
    return redeployer.run([file]);
  };
  return { workspace, runner, inputs, redeployer, save };
}

describe("Redeployer with Nx's resolved inputs: what is no image's input deploys nothing, without nx run-many", () => {
  it('a test file of an app (not in its production inputs): nothing built, nothing asked of the cluster', async () => {
    const { workspace, runner, save } = await watching();
    const result = await save('apps/backend/src/app/app.spec.ts', 'spec-2');
    expect(result).toMatchObject({ outcome: 'unaffected', affected: [], edited: ['apps/backend/src/app/app.spec.ts'] });
    expect(workspace.builds).toEqual([]);
    expect(runner.calls).toEqual([]);
    expect(summaryLine(result)).toMatch(/nothing to deploy: no app image input, not the release/);
  });

  it('a save that leaves an input as deployed: nothing built, the hash plan not even asked', async () => {
    const { workspace, runner, inputs, save } = await watching();
    const result = await save('apps/backend/src/main.ts', 'main-1');
    expect(result).toMatchObject({ outcome: 'unaffected', edited: [] });
    expect(summaryLine(result)).toMatch(/nothing to deploy: contents as deployed/);
    expect(inputs.inspected).toEqual([]);
    expect(workspace.builds).toEqual([]);
    expect(runner.calls).toEqual([]);
  });

  it('a file of no project (docs): nothing to deploy', async () => {
    const { workspace, save } = await watching();
    expect(await save('docs/benchmarks.md', 'docs-2')).toMatchObject({ outcome: 'unaffected' });
    expect(workspace.builds).toEqual([]);
  });

  it('an input edit goes through Nx (the container target) and rolls; saving it again unchanged deploys nothing', async () => {
    const { workspace, save } = await watching();
    workspace.sources.backend = 'nx-112';
    expect(await save('apps/backend/src/main.ts', 'main-2')).toMatchObject({ outcome: 'rolled', rebuilt: ['backend'] });
    expect(workspace.builds).toEqual([['backend']]);
    expect(await save('apps/backend/src/main.ts', 'main-2')).toMatchObject({ outcome: 'unaffected', edited: [] });
    expect(workspace.builds).toEqual([['backend']]);
  });

  it('the shared lib is an input of both images: both container targets run', async () => {
    const { workspace, inputs, save } = await watching();
    await save('libs/shared/src/tasks.ts', 'tasks-2');
    expect(inputs.inspected).toEqual([['backend', 'frontend']]);
    expect(workspace.builds).toEqual([['backend', 'frontend']]);
  });

  it('after a failed build the release still runs the old contents: reverting to them deploys nothing', async () => {
    const { workspace, save } = await watching();
    workspace.buildError = 'error TS2322';
    expect(await save('apps/backend/src/main.ts', 'main-2')).toMatchObject({ outcome: 'failed' });
    workspace.buildError = undefined;
    expect(await save('apps/backend/src/main.ts', 'main-1')).toMatchObject({ outcome: 'unaffected', edited: [] });
    expect(workspace.builds).toEqual([['backend']]);
  });

  it("a project's configuration or a deleted file: Nx judges (the graph's affected apps run their container target)", async () => {
    const { workspace, inputs, redeployer, save } = await watching();
    await save('apps/backend/package.json', 'pkg-2');
    expect(workspace.builds).toEqual([['backend']]);
    inputs.disk.delete('apps/backend/src/app/app.spec.ts');
    await redeployer.run(['apps/backend/src/app/app.spec.ts']);
    expect(workspace.builds).toEqual([['backend'], ['backend']]);
    expect(inputs.inspected).toEqual([]);
  });

  it("when Nx's hash plan cannot be read, the graph's affected apps run their container target", async () => {
    const { workspace, inputs, save } = await watching();
    inputs.imageInputs = async () => {
      throw new Error('Cannot find module nx/src/hasher/hash-plan-inspector');
    };
    await save('apps/backend/src/app/app.spec.ts', 'spec-2');
    expect(workspace.builds).toEqual([['backend']]);
  });

  it('a values file edit builds no image and has the release fingerprint compared', async () => {
    const { workspace, save } = await watching();
    const result = await save('deploy/helm/todo-stack/values-dev.yaml', 'values-2');
    expect(workspace.builds).toEqual([]);
    // The fake's values file on disk did not change, so neither did the fingerprint: nothing to upgrade.
    expect(result).toMatchObject({ outcome: 'unchanged', affected: [], upgraded: false });
    expect(summaryLine(result)).toMatch(/release inputs unchanged, nothing rolled/);
  });
});

describe('configuresNx: files that change the graph or the targets, never judged in-process', () => {
  it.each([
    ['package.json', true],
    ['package-lock.json', true],
    ['nx.json', true],
    ['apps/backend/package.json', true],
    ['apps/backend/src/package.json', false],
    ['apps/backend/src/main.ts', false],
    ['tsconfig.base.json', false],
  ])('%s → %s', (file, expected) => {
    expect(configuresNx(GRAPH, file)).toBe(expected);
  });
});
