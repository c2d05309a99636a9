// @ts-check
/**
 * What the watch-loop suites share (watch.test.mjs: the image-and-roll loop; live-update.test.mjs: --live): a scratch
 * copy of the workspace to edit, and the watch process with its output.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scriptedNxEnv, WatchedProcess } from '@todo-stack/testing';
import { run } from './helpers.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * Copies the node_modules dir `from` to `to` as hard links (`cp -al`: seconds, no file data copied), leaving out
 * `skip`. Real files, not links to this workspace's: Next.js' standalone output keeps a traced path that is a
 * symbolic link as that link, so with linked packages the frontend image had a dangling `next` ("Cannot find module
 * 'next'"). The workspace's own packages stay relative links (@todo-stack/shared -> ../../libs/shared): the copy's
 * sources. Nothing in the loop writes into node_modules but .cache, which the copy has of its own.
 */
function copyModules(/** @type {string} */ from, /** @type {string} */ to, /** @type {string[]} */ skip = []) {
  const names = readdirSync(from).filter((name) => !skip.includes(name));
  mkdirSync(to, { recursive: true });
  const copy = spawnSync('cp', ['-al', ...names.map((name) => path.join(from, name)), to], { encoding: 'utf8' });
  if (copy.status !== 0) throw new Error(`cp -al ${from} ${to}: ${copy.stderr}`);
}

/**
 * A scratch copy of the committed workspace: a clone of HEAD with this workspace's node_modules (the root's and the
 * apps' own, npm workspaces) as hard links and its backend build output. The root's .cache, where the container targets record the image IDs
 * they built, is the copy's own; it starts with this workspace's records (the images of HEAD, built before this
 * suite), which the first deploy uses without building.
 */
export function scratchWorkspace() {
  const dir = mkdtempSync(path.join(tmpdir(), 'todo-watch-'));
  // Readable by the pods' user: live update's pods mount it (mkdtemp makes it 0700).
  chmodSync(dir, 0o755);
  const clone = spawnSync('git', ['clone', '--quiet', '--shared', root, dir], { encoding: 'utf8' });
  if (clone.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`git clone ${root}: ${clone.stderr}`);
  }
  const modules = path.join(root, 'node_modules');
  copyModules(modules, path.join(dir, 'node_modules'), ['.cache']);
  cpSync(path.join(modules, '.cache/nx-container'), path.join(dir, 'node_modules/.cache/nx-container'), {
    recursive: true,
  });
  for (const project of ['apps/backend', 'apps/frontend', 'libs/shared']) {
    const nested = path.join(root, project, 'node_modules');
    if (existsSync(nested)) copyModules(nested, path.join(dir, project, 'node_modules'));
  }
  // The backend build those images were made from, as Nx would restore it: the deploy reads its migrations
  // (apps/backend/dist/drizzle) to tell whether an upgrade must run the migration Job.
  cpSync(path.join(root, 'apps/backend/dist'), path.join(dir, 'apps/backend/dist'), { recursive: true });
  return dir;
}

/** The watch process in a scratch copy: `npx nx …` with the copy's own Nx cache and a trace of its tasks. */
export class Watch extends WatchedProcess {
  /**
   * @param {string} cwd the scratch workspace
   * @param {string[]} args `nx run deploy:minikube …` and its options
   * @param {string} profile where Nx writes its tasks' trace events, relative to cwd (NX_PROFILE)
   */
  constructor(cwd, args, profile) {
    super('npx', ['nx', ...args], {
      cwd,
      env: {
        ...scriptedNxEnv(),
        // Inside the copy (Nx's default is keyed by the workspace's path, outside it): removed with it.
        NX_CACHE_DIRECTORY: path.join(cwd, '.nx/cache'),
        // Each `nx run-many` of the loop writes its tasks' durations here (Chrome trace events): the Next.js build.
        // Relative: Nx joins it to the workspace root (an absolute path lands under the root too).
        NX_PROFILE: profile,
      },
    });
  }
}

/**
 * `nx run deploy:minikube --watch …` on the test cluster, as the watch suites run it, into `namespace` with the
 * frontend on `nodePort`, then `extra` options.
 * @param {{ namespace: string, nodePort: number, transport: string, registry: string, extra?: string[] }} where
 */
export function watchArgs({ namespace, nodePort, transport, registry, extra = [] }) {
  const postgres = process.env.POSTGRES_IMAGE ?? '';
  const at = postgres.lastIndexOf(':');
  return [
    'run',
    'deploy:minikube',
    '--kubeContext=current',
    `--namespace=${namespace}`,
    '--watch',
    `--transport=${transport}`,
    `--registry=${registry}`,
    `--loadCommand=${path.join(root, 'tools/test-cluster/load-image.sh')} {ref}`,
    `--extraImages=${postgres}`,
    `--set=postgresql.image.repository=${postgres.slice(0, at)}`,
    `--set=postgresql.image.tag=${postgres.slice(at + 1)}`,
    '--set=postgresql.image.pullPolicy=Never',
    // One backend pod: the loop's rollout is one new pod, as on a laptop's values-dev with replicas lowered.
    '--set=backend.replicas=1',
    '--set=frontend.replicas=1',
    // executor.test.mjs's release (namespace todo) keeps values-dev's NodePort 30080 on this node.
    `--set=frontend.service.nodePort=${nodePort}`,
    '--helmTest=false',
    '--port=0',
    '--cleanup',
    // Lines as they come, without a project prefix (static holds a task's output until it ends: never, here).
    '--output-style=stream-without-prefixes',
    // The first deploy takes the images of HEAD this workspace built (recorded in the copy's node_modules/.cache);
    // the loop builds what an edit changes through Nx in the copy.
    '--exclude-task-dependencies',
    ...extra,
  ];
}

/**
 * A watch suite's end: the watch stopped (Ctrl-C), its whole output and the figures printed, the scratch copy and
 * the namespace removed.
 * @param {{ watch?: Watch, scratch?: string, namespace: string, figures: Record<string, unknown> }} what
 */
export async function finish({ watch, scratch, namespace, figures }) {
  await watch?.stop();
  console.log(`# watch stopped (${watch?.ended}); its output:\n${watch?.output.replace(/^/gm, '#   ')}`);
  console.log(`# figures: ${JSON.stringify(figures)}`);
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  await run('kubectl', ['delete', 'namespace', namespace, '--timeout=180s']).catch(() => undefined);
}
