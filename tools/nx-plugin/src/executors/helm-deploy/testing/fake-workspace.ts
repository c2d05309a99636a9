import { workspaceRoot, type ProjectGraph } from '@nx/devkit';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { nxCommand } from '../../../lib/nx-cli.ts';
import type { Workspace } from '../context.ts';
import type { Handler } from './fake-runner.ts';

const node = (name: string, root: string, type: 'app' | 'lib' | 'e2e', targets: string[] = []) => ({
  name,
  type,
  data: { root, targets: Object.fromEntries(targets.map((target) => [target, {}])) },
});
const dependsOn = (source: string, ...targets: string[]) =>
  targets.map((target) => ({ source, target, type: 'static' }));

/**
 * The workspace's shape: two apps with container targets on a shared lib, an e2e project on the backend, the
 * deploy project on both apps and the lib (which has no image).
 */
export const GRAPH = {
  nodes: {
    backend: node('backend', 'apps/backend', 'app', ['build', 'container']),
    frontend: node('frontend', 'apps/frontend', 'app', ['build', 'container']),
    'backend-e2e': node('backend-e2e', 'apps/backend-e2e', 'e2e', ['e2e']),
    shared: node('shared', 'libs/shared', 'lib', ['build']),
    deploy: node('deploy', 'deploy', 'app', ['minikube']),
  },
  dependencies: {
    backend: dependsOn('backend', 'shared'),
    frontend: dependsOn('frontend', 'shared'),
    'backend-e2e': dependsOn('backend-e2e', 'backend'),
    shared: [],
    deploy: dependsOn('deploy', 'frontend', 'backend', 'shared'),
  },
} as unknown as ProjectGraph;

/**
 * The apps' container targets and the Docker daemon as Nx and lib/image-refs.ts see them: `sources` is the tag
 * (the Nx task hash) a build of each app's current inputs gives; `nx run-many -t container -p …` makes it the
 * workspace's image: the target records its ID in `cacheDir` and Docker knows it under `todo-<app>:<tag>`. A test
 * changes `sources` the way an edit changes the hash, and `prune` plays `docker system prune`.
 */
export class FakeImages {
  readonly cacheDir = mkdtempSync(path.join(tmpdir(), 'nx-container-'));
  sources: Record<string, string> = { backend: 'nx-111', frontend: 'nx-222' };
  /** Image ID → its tags, in the fake Docker daemon. */
  readonly docker = new Map<string, string[]>();
  /** Set: the next builds fail with this output. */
  buildError: string | undefined;
  builds: string[][] = [];
  /** Called (once) while the next build runs: a save made during a loop. */
  duringBuild: (() => void) | undefined;

  constructor() {
    for (const [app, tag] of Object.entries(this.sources)) this.build(app, tag);
  }

  /** What a container build does: the image in Docker, its ID recorded as the target's output. */
  build(app: string, tag = this.sources[app]): void {
    const id = `sha256:${app}-${tag}`;
    this.docker.set(id, [`todo-${app}:${tag}`]);
    mkdirSync(path.join(this.cacheDir, app), { recursive: true });
    writeFileSync(path.join(this.cacheDir, app, 'imageid'), `${id}\n`);
  }

  /** The app's image leaves Docker; the Nx cache still records its ID. */
  prune(app: string): void {
    for (const [id, tags] of this.docker)
      if (tags.some((tag) => tag.startsWith(`todo-${app}:`))) this.docker.delete(id);
  }

  /** The workspace the deploy under test sees: GRAPH's apps, their builds recorded in `cacheDir`. */
  workspace(root = workspaceRoot): Workspace {
    return { root, project: 'deploy', apps: ['backend', 'frontend'], imageCacheDir: this.cacheDir };
  }

  /** `root`: the workspace the loop under test runs in (how it runs Nx depends on it). */
  handlers(root = workspaceRoot): Record<string, Handler> {
    const nx = nxCommand(root);
    return {
      [[nx.command, ...nx.args, 'run-many'].join(' ')]: (args) => {
        const apps = (args.find((arg) => arg.startsWith('--projects='))?.slice('--projects='.length) ?? '').split(',');
        this.builds.push(apps);
        const during = this.duringBuild;
        this.duringBuild = undefined;
        during?.();
        if (this.buildError) return { code: 1, stdout: '> nx run backend:build\n', stderr: this.buildError };
        for (const app of apps) this.build(app);
        return {};
      },
      // docker image inspect --format {{json .RepoTags}} ID…: a line per image it has, in order; an error per other.
      'docker image inspect': (args) => {
        const ids = args.slice(args.indexOf('--format') + 2);
        const missing = ids.filter((id) => !this.docker.has(id));
        return {
          code: missing.length ? 1 : 0,
          stdout: ids
            .flatMap((id) => (this.docker.has(id) ? [`${JSON.stringify(this.docker.get(id))}\n`] : []))
            .join(''),
          stderr: missing.map((id) => `Error: No such image: ${id}\n`).join(''),
        };
      },
    };
  }
}
