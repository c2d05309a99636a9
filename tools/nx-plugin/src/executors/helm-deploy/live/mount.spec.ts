import { stepContext } from '../context.ts';
import { normalizeOptions } from '../options.ts';
import { FakeRunner } from '../testing/fake-runner.ts';
import { liveWorkspace } from './mount.ts';

const workspace = { root: '/home/dev/todo-stack', project: 'deploy', apps: ['backend', 'frontend'], imageCacheDir: '' };
const profiles = (mounts: string[] | null) =>
  JSON.stringify({ invalid: [], valid: [{ Name: 'todo-stack', Config: { ContainerVolumeMounts: mounts } }] });
const where = (runner: FakeRunner, options = {}) =>
  liveWorkspace(
    stepContext(normalizeOptions(options, { MINIKUBE_PROFILE: 'todo-stack' }), runner, workspace),
    'kubeContext' in options ? { context: 'kind', minikube: false } : { context: 'todo-stack', minikube: true },
  );

describe("live update: the workspace's path on the node", () => {
  it("Minikube: the profile's mount of the workspace (or of a folder above it)", async () => {
    const mounted = new FakeRunner({
      'minikube profile list': () => ({ stdout: profiles(['/home/dev/todo-stack:/todo-stack']) }),
    });
    await expect(where(mounted)).resolves.toBe('/todo-stack');
    const home = new FakeRunner({
      'minikube profile list': () => ({ stdout: profiles(['/home/dev:/minikube-host']) }),
    });
    await expect(where(home)).resolves.toBe('/minikube-host/todo-stack');
  });

  it('Minikube without the mount: says how to get it (the docker driver mounts only at creation)', async () => {
    const none = new FakeRunner({ 'minikube profile list': () => ({ stdout: profiles(null) }) });
    await expect(where(none)).rejects.toThrow(
      /profile todo-stack has no mount.*minikube\/delete\.sh, then minikube\/start\.sh/,
    );
    const other = new FakeRunner({ 'minikube profile list': () => ({ stdout: profiles(['/srv/data:/data']) }) });
    await expect(where(other)).rejects.toThrow(/has only \/srv\/data:\/data/);
  });

  it("another context: liveWorkspace, else the workspace's own path", async () => {
    await expect(where(new FakeRunner(), { kubeContext: 'kind' })).resolves.toBe('/home/dev/todo-stack');
    await expect(where(new FakeRunner(), { kubeContext: 'kind', liveWorkspace: '/src' })).resolves.toBe('/src');
  });
});
