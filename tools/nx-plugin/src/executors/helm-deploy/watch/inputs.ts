import type { ProjectGraph } from '@nx/devkit';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { CONTAINER_TARGET } from '../workspace.ts';

/** The workspace files each app's image is built from. */
type ImageInputs = Record<string, ReadonlySet<string>>;

/**
 * What the loop asks Nx in-process, instead of spawning `nx run-many` to learn that a cache hit changes nothing.
 * Injected so that the loop's decisions are tested without Nx's native file index.
 */
export interface WorkspaceInputs {
  /**
   * Content hashes of every file of the workspace, read from disk now (a fresh scan: files changed since the last
   * report are included). Taken before a deploy, it is what that deploy was built from.
   */
  snapshot(): Promise<Map<string, string>>;
  /** Tells the file index that `files` changed; their content hashes now (a deleted file has none). */
  refresh(files: string[]): Promise<Map<string, string>>;
  /**
   * The files Nx hashes for each app's `container` task and the tasks it depends on (`build`, the libs' builds),
   * with the target's resolved inputs: the `production` named input leaves tests, lint and jest configs out.
   */
  imageInputs(graph: ProjectGraph, apps: string[]): Promise<ImageInputs>;
}

/**
 * Files that change the project graph, a target's inputs or the external dependencies rather than (only) a
 * file input: the workspace's and the projects' configuration, the lockfile. The loop never judges them itself.
 */
export function configuresNx(graph: ProjectGraph, file: string): boolean {
  if (['package.json', 'package-lock.json', 'nx.json'].includes(file)) return true;
  const name = path.posix.basename(file);
  if (name !== 'package.json' && name !== 'project.json') return false;
  const dir = path.posix.dirname(file);
  return Object.values(graph.nodes).some((node) => node.data.root.replace(/\/$/, '') === dir);
}

/** Nx's own input resolution (the hash plan `nx run` computes), over its native file index of the workspace. */
export function nxWorkspaceInputs(root: string): WorkspaceInputs {
  // Nx's internals, not @nx/devkit: devkit exposes no hash plan. They ship with the nx package the workspace pins.
  // Hashes come from an index of our own: Nx's shared one answers through the daemon when one runs, which learns
  // of changes on its own schedule. The shared (in-process) index is the one HashPlanInspector expands globs over.
  // They are CommonJS, required as Nx requires them: an ESM import sees no named export of nx/src/native (its
  // module.exports is assigned at run time).
  const nx = createRequire(path.join(root, 'package.json'));
  let index: import('nx/src/native').WorkspaceContext | undefined;
  const scan = () => {
    const { WorkspaceContext } = nx('nx/src/native') as typeof import('nx/src/native');
    const { workspaceDataDirectoryForWorkspace } = nx(
      'nx/src/utils/cache-directory',
    ) as typeof import('nx/src/utils/cache-directory');
    index = new WorkspaceContext(root, workspaceDataDirectoryForWorkspace(root));
    return index;
  };
  const hashes = (files: { file: string; hash: string }[]) => new Map(files.map(({ file, hash }) => [file, hash]));
  return {
    async snapshot() {
      return hashes(scan().allFileData());
    },
    async refresh(files) {
      const { updateFilesInContext } = nx(
        'nx/src/utils/workspace-context',
      ) as typeof import('nx/src/utils/workspace-context');
      const exists = (file: string) => existsSync(path.join(root, file));
      const [updated, deleted] = [files.filter((file) => exists(file)), files.filter((file) => !exists(file))];
      updateFilesInContext(root, updated, deleted);
      const own = index ?? scan();
      own.incrementalUpdate(updated, deleted);
      const wanted = new Set(files);
      return hashes(own.allFileData().filter(({ file }) => wanted.has(file)));
    },
    async imageInputs(graph, apps) {
      const { HashPlanInspector } = nx(
        'nx/src/hasher/hash-plan-inspector',
      ) as typeof import('nx/src/hasher/hash-plan-inspector');
      const inspector = new HashPlanInspector(graph, root);
      await inspector.init();
      const inputs = {} as Record<string, Set<string>>;
      for (const app of apps) {
        const tasks = inspector.inspectTaskInputs({ project: app, target: CONTAINER_TARGET });
        inputs[app] = new Set(Object.values(tasks).flatMap((task) => task.files));
      }
      return inputs;
    },
  };
}
