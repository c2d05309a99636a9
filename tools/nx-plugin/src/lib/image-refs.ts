/**
 * The image each app's last `nx run <app>:container` produced: the one source of image references for the deploy
 * executor (imported) and for CI, compose and people (tools/containers/image-refs.mjs, a CLI over this module).
 *
 * The `container` target tags its image `todo-<app>:nx-<Nx task hash>` and writes the image's ID to
 * node_modules/.cache/nx-container/<app>/imageid, one of the target's Nx outputs, so a cache hit restores it. The
 * ID is looked up in the Docker daemon for its `todo-<app>:nx-…` tag. Several such tags on one ID mean several
 * task hashes produced the same image: any of them names exactly the same content (the first, sorted, is taken).
 *
 * Like the whole plugin, ESM with erasable TypeScript only: Node runs it as it is (the CLI, Nx), Jest compiles it.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';

/** The image an app's last `container` build produced. */
export interface ImageRef {
  /** The repository: `todo-<app>`. */
  image: string;
  /** `nx-<the Nx task hash of the app's container target>`. */
  tag: string;
  /** `image:tag`. */
  ref: string;
  /** The image ID the build recorded. */
  id: string;
}

/** A finished command, as the deploy executor's runner reports it (code 127: the command could not start). */
export interface DockerResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the docker CLI with `args` and captures its output; never throws. */
export type Docker = (args: string[]) => Promise<DockerResult>;

/**
 * Why there is no image reference. `not-built`: no build recorded. `stale`: the Nx cache records an image this
 * Docker daemon no longer has, or not under our tag (pruned, another daemon): rebuilding without the cache fixes
 * it. `docker`: Docker could not be asked.
 */
export type ImageRefProblem = 'not-built' | 'stale' | 'docker';

export class ImageRefError extends Error {
  readonly problem: ImageRefProblem;
  constructor(problem: ImageRefProblem, message: string) {
    super(message);
    this.name = 'ImageRefError';
    this.problem = problem;
  }
}

export interface ImageRefSource {
  /** The workspace root. */
  root: string;
  docker: Docker;
  /** Where the container targets write their outputs: IMAGE_REFS_CACHE_DIR, else node_modules/.cache/nx-container. */
  cacheDir?: string;
}

/** The container targets' output directory; IMAGE_REFS_CACHE_DIR replaces it (the deploy's end-to-end test). */
export const imageCacheDir = (root: string, env: NodeJS.ProcessEnv = process.env): string =>
  env['IMAGE_REFS_CACHE_DIR'] || path.join(root, 'node_modules/.cache/nx-container');

/** The image repository of an app: the `tags` option of its container target names it `todo-<app>:nx-${NX_TASK_HASH}`. */
const imageRepository = (app: string): string => `todo-${app}`;

/** The image ID `app`'s last container build recorded; throws a not-built ImageRefError when there is none. */
async function recordedId(app: string, source: ImageRefSource): Promise<string> {
  const idFile = path.join(source.cacheDir ?? imageCacheDir(source.root), app, 'imageid');
  try {
    return (await readFile(idFile, 'utf8')).trim();
  } catch {
    throw new ImageRefError(
      'not-built',
      `no image has been built for ${app} in this workspace (${path.relative(source.root, idFile)} is missing): run npx nx run ${app}:container`,
    );
  }
}

const INSPECT = ['image', 'inspect', '--format', '{{json .RepoTags}}'];

/** The reference of image `id` from its tags (`docker image inspect`'s JSON list); stale without a nx- tag. */
function refOf(app: string, id: string, tagsJson: string): ImageRef {
  const repository = imageRepository(app);
  let tags: string[];
  try {
    tags = (JSON.parse(tagsJson) as string[] | null) ?? [];
  } catch {
    throw new ImageRefError('docker', `docker image inspect ${id} printed no tag list: ${tagsJson.slice(0, 200)}`);
  }
  const ref = tags.filter((tag) => tag.startsWith(`${repository}:nx-`)).sort()[0];
  if (!ref)
    throw new ImageRefError(
      'stale',
      `image ${id} has no ${repository}:nx-… tag (tags: ${tags.join(', ') || 'none'}): rebuild it with npx nx run ${app}:container --skip-nx-cache`,
    );
  return { image: repository, tag: ref.slice(repository.length + 1), ref, id };
}

/** The image reference of `app`'s last container build; throws an ImageRefError that says what to run. */
export async function imageRef(app: string, source: ImageRefSource): Promise<ImageRef> {
  const id = await recordedId(app, source);
  const inspected = await source.docker([...INSPECT, id]);
  if (inspected.code === 127)
    throw new ImageRefError('docker', 'the docker CLI is not installed (see docs/troubleshooting.md)');
  if (inspected.code !== 0) {
    if (!/no such image/i.test(inspected.stderr))
      throw new ImageRefError(
        'docker',
        `docker image inspect ${id}: ${inspected.stderr.trim() || `exit code ${inspected.code}`}`,
      );
    throw new ImageRefError(
      'stale',
      `the ${app} image ${id} recorded by the Nx cache is not in this Docker daemon (removed, or another daemon): rebuild it with npx nx run ${app}:container --skip-nx-cache`,
    );
  }
  return refOf(app, id, inspected.stdout.trim());
}

const settle = async <T>(work: () => Promise<T>): Promise<T | ImageRefError> => {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ImageRefError) return error;
    throw error;
  }
};

/**
 * The image reference of each app, or why there is none, with one `docker image inspect` for all of them (it
 * prints a line per image, in order). When Docker lacks one of them, each app is asked on its own, which says which.
 */
export async function imageRefs(
  apps: readonly string[],
  source: ImageRefSource,
): Promise<Map<string, ImageRef | ImageRefError>> {
  const refs = new Map<string, ImageRef | ImageRefError>();
  const ids = new Map<string, string>();
  for (const app of apps) {
    const id = await settle(() => recordedId(app, source));
    if (id instanceof ImageRefError) refs.set(app, id);
    else ids.set(app, id);
  }
  if (ids.size) {
    const inspected = await source.docker([...INSPECT, ...ids.values()]);
    const lines = inspected.stdout.trim().split('\n');
    const together = inspected.code === 0 && lines.length === ids.size;
    for (const [index, [app, id]] of [...ids].entries())
      refs.set(app, await settle(async () => (together ? refOf(app, id, lines[index] ?? '') : imageRef(app, source))));
  }
  return new Map(apps.map((app) => [app, refs.get(app) as ImageRef | ImageRefError]));
}
