import { workspaceRoot, type ProjectGraph } from '@nx/devkit';
import type { App } from '../steps/images';
import { nxCommand } from '../../../lib/nx-cli';
import type { Handler } from './fake-runner';

const node = (name: string, root: string, type: 'app' | 'lib' | 'e2e') => ({ name, type, data: { root } });
const dependsOn = (source: string, ...targets: string[]) =>
  targets.map((target) => ({ source, target, type: 'static' }));

/** The workspace's shape: two apps on a shared lib, an e2e project on the backend, the deploy project on both apps. */
export const GRAPH = {
  nodes: {
    backend: node('backend', 'apps/backend', 'app'),
    frontend: node('frontend', 'apps/frontend', 'app'),
    'backend-e2e': node('backend-e2e', 'apps/backend-e2e', 'e2e'),
    shared: node('shared', 'libs/shared', 'lib'),
    deploy: node('deploy', 'deploy', 'app'),
  },
  dependencies: {
    backend: dependsOn('backend', 'shared'),
    frontend: dependsOn('frontend', 'shared'),
    'backend-e2e': dependsOn('backend-e2e', 'backend'),
    shared: [],
    deploy: dependsOn('deploy', 'backend', 'frontend'),
  },
} as unknown as ProjectGraph;

/**
 * The apps' container targets as Nx runs them: `sources` is the tag (the Nx task hash) a build of each app's
 * current inputs gives; `nx run-many -t container -p …` makes it the workspace's image, which
 * tools/containers/image-refs.mjs then reports. A test changes `sources` the way an edit changes the hash.
 */
export class FakeImages {
  sources: Record<App, string> = { backend: 'nx-111', frontend: 'nx-222' };
  built: Record<App, string> = { ...this.sources };
  /** Set: the next builds fail with this output. */
  buildError: string | undefined;
  builds: App[][] = [];
  /** Called (once) while the next build runs: a save made during a loop. */
  duringBuild: (() => void) | undefined;

  /** `root`: the workspace the loop under test runs in (how it runs Nx depends on it). */
  handlers(root = workspaceRoot): Record<string, Handler> {
    const nx = nxCommand(root);
    return {
      [[nx.command, ...nx.args, 'run-many'].join(' ')]: (args) => {
        const apps = (args.find((arg) => arg.startsWith('--projects='))?.slice('--projects='.length) ?? '').split(
          ',',
        ) as App[];
        this.builds.push(apps);
        const during = this.duringBuild;
        this.duringBuild = undefined;
        during?.();
        if (this.buildError) return { code: 1, stdout: '> nx run backend:build\n', stderr: this.buildError };
        for (const app of apps) this.built[app] = this.sources[app];
        return {};
      },
      'node tools/containers/image-refs.mjs --json': () => ({
        stdout: JSON.stringify(
          Object.fromEntries(
            Object.entries(this.built).map(([app, tag]) => [
              app,
              { image: `todo-${app}`, tag, ref: `todo-${app}:${tag}`, id: `sha256:${tag}` },
            ]),
          ),
        ),
      }),
    };
  }
}
