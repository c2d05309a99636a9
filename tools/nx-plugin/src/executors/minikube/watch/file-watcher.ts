import * as path from 'node:path';

/**
 * Folders whose changes are never edits: dependencies, build outputs and caches (the loop's own builds write
 * there; watching them would redeploy forever), VCS data.
 */
export const IGNORED_DIRS = [
  'node_modules',
  'dist',
  '.nx',
  '.git',
  '.next',
  'out-tsc',
  'test-output',
  'coverage',
  'tmp',
];

/** Whether a workspace-relative path is inside an ignored folder, at any depth. */
export const ignored = (file: string) => file.split('/').some((segment) => IGNORED_DIRS.includes(segment));

export interface FileWatcher {
  close(): Promise<void>;
}

/** Watches `root` recursively; `onFiles` gets the workspace-relative paths of each batch of changes. */
export type WatchFiles = (root: string, onFiles: (files: string[]) => void) => Promise<FileWatcher>;

/**
 * @parcel/watcher: a native recursive watcher (inotify/FSEvents/ReadDirectoryChangesW; one
 * recursive subscription, ignored folders never traversed, events already batched), already installed with Nx.
 * `nx watch` would need the Nx daemon, which CI and this workspace's scripts turn off (NX_DAEMON=false).
 */
export const watchFiles: WatchFiles = async (root, onFiles) => {
  const watcher = await import('@parcel/watcher');
  const subscription = await watcher.subscribe(
    root,
    (error, events) => {
      if (error) return;
      const files = events
        .map((event) => path.relative(root, event.path).split(path.sep).join('/'))
        .filter((file) => file && !file.startsWith('..') && !ignored(file));
      if (files.length) onFiles(files);
    },
    { ignore: IGNORED_DIRS.map((dir) => `**/${dir}`) },
  );
  return { close: () => subscription.unsubscribe() };
};
