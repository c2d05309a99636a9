import { execFile } from 'node:child_process';
import * as path from 'node:path';

/**
 * Folders whose changes are never edits: dependencies, build outputs and caches (the loop's own builds write
 * there; watching them would redeploy forever), VCS data.
 */
const IGNORED_DIRS = ['node_modules', 'dist', '.nx', '.git', '.next', 'out-tsc', 'test-output', 'coverage', 'tmp'];

/** Whether a workspace-relative path is inside an ignored folder, at any depth. */
export const ignored = (file: string) => file.split('/').some((segment) => IGNORED_DIRS.includes(segment));

/**
 * The files among `files` (workspace-relative) that git ignores: generated files outside the folders above, such
 * as Next.js's `next-env.d.ts`, which `next build` rewrites, so each frontend build would otherwise trigger another
 * loop. Nx leaves git-ignored files out of its hashes too. Outside a git work tree nothing is filtered.
 */
function gitIgnored(root: string, files: string[]): Promise<Set<string>> {
  return new Promise((resolve) => {
    const child = execFile('git', ['check-ignore', '--stdin', '-z'], { cwd: root }, (error, stdout) => {
      // Exit 1: none of them is ignored; 128: not a git work tree (or no git). Both filter nothing.
      if (error && !stdout) return resolve(new Set());
      resolve(new Set(stdout.split('\0').filter(Boolean)));
    });
    // git may exit before reading (not a work tree): a closed pipe is that answer, not an error.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(files.map((file) => `${file}\0`).join(''));
  });
}

interface FileWatcher {
  close(): Promise<void>;
}

/**
 * Watches `root` recursively; `onFiles` gets the workspace-relative paths of each batch of changes. `keep`: files
 * reported even when git ignores them (the deploy's values files: a developer's local values file often is).
 */
export type WatchFiles = (root: string, onFiles: (files: string[]) => void, keep?: string[]) => Promise<FileWatcher>;

/**
 * @parcel/watcher: a native recursive watcher (inotify/FSEvents/ReadDirectoryChangesW; one
 * recursive subscription, ignored folders never traversed, events already batched), already installed with Nx.
 * `nx watch` would need the Nx daemon, which CI and this workspace's scripts turn off (NX_DAEMON=false).
 */
export const watchFiles: WatchFiles = async (root, onFiles, keep = []) => {
  const watcher = await import('@parcel/watcher');
  const kept = new Set(keep.map((file) => path.relative(root, path.resolve(root, file)).split(path.sep).join('/')));
  const subscription = await watcher.subscribe(
    root,
    async (error, events) => {
      if (error) return;
      const changed = events
        .map((event) => path.relative(root, event.path).split(path.sep).join('/'))
        .filter((file) => file && !file.startsWith('..') && !ignored(file));
      if (!changed.length) return;
      const skip = await gitIgnored(root, changed);
      const files = changed.filter((file) => kept.has(file) || !skip.has(file));
      if (files.length) onFiles(files);
    },
    { ignore: IGNORED_DIRS.map((dir) => `**/${dir}`) },
  );
  return { close: () => subscription.unsubscribe() };
};
