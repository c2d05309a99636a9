import * as path from 'node:path';
import runExecutor from '../executor.ts';
import type { HelmDeployExecutorSchema } from '../schema.js';
import { FakeRelease, FakeRunner, type Handler } from '../testing/fake-runner.ts';
import { FakeImages, GRAPH } from '../testing/fake-workspace.ts';

const workspaceRoot = path.resolve(__dirname, '../../../../../..');

let images: FakeImages;
beforeEach(() => {
  images = new FakeImages();
});
const ADDONS_OFF = JSON.stringify({ registry: { Profile: 'todo-stack', Status: 'disabled' } });
const ADDONS_ON = JSON.stringify({ registry: { Profile: 'todo-stack', Status: 'enabled' } });

function machine(extra: Record<string, Handler> = {}): FakeRunner {
  return new FakeRunner({
    ...new FakeRelease().handlers(),
    ...images.handlers(workspaceRoot),
    'minikube -p todo-stack addons list --output json': () => ({ stdout: ADDONS_OFF }),
    'minikube -p todo-stack ip': () => ({ stdout: '192.168.49.2\n' }),
    'kubectl config current-context': () => ({ stdout: 'test-cluster\n' }),
    ...extra,
  });
}
const run = (runner: FakeRunner, options: HelmDeployExecutorSchema) =>
  runExecutor(
    { helmTest: false, port: 0, ...options },
    { root: workspaceRoot, projectName: 'deploy', projectGraph: GRAPH },
    runner,
    { IMAGE_REFS_CACHE_DIR: images.cacheDir },
  );
const moves = (runner: FakeRunner) =>
  runner.calls.filter((call) => /^(docker (tag|push)|minikube .*(addons|image load)|sh -c)/.test(call));
const upgrade = (runner: FakeRunner) => runner.calls.find((call) => call.startsWith('helm upgrade')) ?? '';

describe('transport=registry', () => {
  it('Minikube: enables the registry addon, pushes to `minikube ip`:5000, the pods pull from localhost:5000', async () => {
    const runner = machine();
    await expect(run(runner, { transport: 'registry' })).resolves.toEqual({ success: true });
    expect(moves(runner)).toEqual([
      'minikube -p todo-stack addons list --output json',
      'minikube -p todo-stack addons enable registry',
      'docker tag todo-backend:nx-111 192.168.49.2:5000/todo-backend:nx-111',
      'docker push 192.168.49.2:5000/todo-backend:nx-111',
      'docker tag todo-frontend:nx-222 192.168.49.2:5000/todo-frontend:nx-222',
      'docker push 192.168.49.2:5000/todo-frontend:nx-222',
    ]);
    expect(upgrade(runner)).toContain(
      '--set backend.image.repository=localhost:5000/todo-backend --set backend.image.tag=nx-111 --set backend.image.pullPolicy=IfNotPresent',
    );
    expect(upgrade(runner)).toContain('--set frontend.image.repository=localhost:5000/todo-frontend');
  });

  it('Minikube: an enabled addon is not enabled again', async () => {
    const runner = machine({ 'minikube -p todo-stack addons list --output json': () => ({ stdout: ADDONS_ON }) });
    await run(runner, { transport: 'registry' });
    expect(runner.calls).not.toContain('minikube -p todo-stack addons enable registry');
  });

  it('another cluster: pushes to --registry; extraImages still go by loadCommand', async () => {
    const runner = machine();
    await expect(
      run(runner, {
        transport: 'registry',
        kubeContext: 'current',
        registry: 'localhost:16500',
        loadCommand: 'load {ref}',
        extraImages: ['postgres:17.6'],
      }),
    ).resolves.toEqual({ success: true });
    expect(moves(runner)).toEqual([
      'docker tag todo-backend:nx-111 localhost:16500/todo-backend:nx-111',
      'docker push localhost:16500/todo-backend:nx-111',
      'docker tag todo-frontend:nx-222 localhost:16500/todo-frontend:nx-222',
      'docker push localhost:16500/todo-frontend:nx-222',
      'sh -c load postgres:17.6',
    ]);
    expect(upgrade(runner)).toContain('--set backend.image.repository=localhost:16500/todo-backend');
  });

  it('clusterRegistry names the registry as the nodes reach it', async () => {
    const runner = machine();
    await run(runner, {
      transport: 'registry',
      kubeContext: 'current',
      registry: 'localhost:5001',
      clusterRegistry: 'registry.local:5000',
    });
    expect(moves(runner)).toContain('docker push localhost:5001/todo-backend:nx-111');
    expect(upgrade(runner)).toContain('--set backend.image.repository=registry.local:5000/todo-backend');
  });

  it('another cluster without --registry: fails saying what to pass, pushes nothing', async () => {
    const runner = machine();
    await expect(run(runner, { transport: 'registry', kubeContext: 'current' })).resolves.toEqual({ success: false });
    expect(runner.output).toContain('transport=registry needs --registry=HOST:PORT');
    expect(moves(runner)).toEqual([]);
  });

  it('a failed push says how to reach the registry and deploys nothing', async () => {
    const runner = machine({ 'docker push': () => ({ code: 1 }) });
    await expect(run(runner, { transport: 'registry' })).resolves.toEqual({ success: false });
    expect(runner.output).toContain('docker push 192.168.49.2:5000/todo-backend:nx-111 failed');
    expect(runner.output).toContain('insecure-registries');
    expect(upgrade(runner)).toBe('');
  });

  it('the transport is part of the fingerprint: switching it redeploys', async () => {
    const release = new FakeRelease();
    const handlers = (): Record<string, Handler> => ({
      ...release.handlers(),
      ...images.handlers(workspaceRoot),
      'minikube -p todo-stack addons list --output json': () => ({ stdout: ADDONS_ON }),
      'minikube -p todo-stack ip': () => ({ stdout: '192.168.49.2\n' }),
    });
    await run(new FakeRunner(handlers()), { transport: 'load' });
    const again = new FakeRunner(handlers());
    await run(again, { transport: 'registry' });
    expect(upgrade(again)).not.toBe('');
    expect(release.revision).toBe(2);
  });
});

describe('transport=load', () => {
  it('keeps the image names and the pull policy of the values files', async () => {
    const runner = machine();
    await run(runner, { transport: 'load' });
    expect(moves(runner)).toEqual([
      'minikube -p todo-stack image load todo-backend:nx-111',
      'minikube -p todo-stack image load todo-frontend:nx-222',
    ]);
    expect(upgrade(runner)).toContain(
      '--set backend.image.repository=todo-backend --set backend.image.tag=nx-111 --set',
    );
    expect(upgrade(runner)).not.toContain('pullPolicy');
  });
});
