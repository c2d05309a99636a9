import type { ProjectGraph } from '@nx/devkit';
import * as path from 'node:path';
import runExecutor from './executor.ts';
import { FakeRelease, FakeRunner } from './testing/fake-runner.ts';
import { FakeImages, GRAPH } from './testing/fake-workspace.ts';
import { deployedApps, workspaceOf } from './workspace.ts';

const workspaceRoot = path.resolve(__dirname, '../../../../..');

/** GRAPH with a third app, `worker`, that the deploy project depends on; `container`: whether it has an image. */
function withWorker(container: boolean): ProjectGraph {
  return {
    nodes: {
      ...GRAPH.nodes,
      worker: {
        name: 'worker',
        type: 'app',
        data: { root: 'apps/worker', targets: container ? { container: {} } : {} },
      },
    },
    dependencies: {
      ...GRAPH.dependencies,
      worker: [],
      deploy: [...GRAPH.dependencies['deploy'], { source: 'deploy', target: 'worker', type: 'implicit' }],
    },
  };
}

describe('the apps a deploy project deploys', () => {
  it('are its dependencies that have a container target, sorted (not the lib, not the e2e project)', () => {
    expect(deployedApps(GRAPH, 'deploy')).toEqual(['backend', 'frontend']);
    expect(deployedApps(withWorker(true), 'deploy')).toEqual(['backend', 'frontend', 'worker']);
    expect(deployedApps(withWorker(false), 'deploy')).toEqual(['backend', 'frontend']);
  });

  it('none: the deploy stops and says what to add', () => {
    expect(() => workspaceOf(GRAPH, '/w', 'backend')).toThrow(
      'project backend deploys no app: none of its dependencies has a container target',
    );
  });

  it('an app added to the graph is deployed: its image is read and the chart gets its values', async () => {
    const images = new FakeImages();
    images.build('worker', 'nx-333');
    const runner = new FakeRunner({
      ...images.handlers(workspaceRoot),
      ...new FakeRelease().handlers(),
      'minikube -p todo-stack ip': () => ({ stdout: '192.168.49.2\n' }),
    });
    const context = { root: workspaceRoot, projectName: 'deploy', projectGraph: withWorker(true) };
    await expect(
      runExecutor({ helmTest: false, migrationsDir: '' }, context, runner, { IMAGE_REFS_CACHE_DIR: images.cacheDir }),
    ).resolves.toEqual({ success: true });
    expect(runner.calls.find((call) => call.startsWith('docker image inspect'))).toMatch(/ sha256:worker-nx-333$/);
    expect(runner.calls).toContain('minikube -p todo-stack image load todo-worker:nx-333');
    expect(runner.calls.find((call) => call.startsWith('helm upgrade'))).toContain(
      '--set worker.image.repository=todo-worker --set worker.image.tag=nx-333',
    );
  });

  it('a project without apps deploys nothing and says why', async () => {
    const runner = new FakeRunner();
    const context = { root: workspaceRoot, projectName: 'shared', projectGraph: GRAPH };
    await expect(runExecutor({}, context, runner)).resolves.toEqual({ success: false });
    expect(runner.err.join('\n')).toContain('✖ deploy: project shared deploys no app');
    expect(runner.calls).toEqual([]);
  });
});
