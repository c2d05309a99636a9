/**
 * The image each app's last `nx run <app>:container` produced: the one source of image references for the deploy
 * executor (imported) and for CI, compose and people (tools/containers/image-refs.mjs, a CLI over this module).
 *
 * The `container` target tags its image `todo-<app>:nx-<Nx task hash>` and writes the image's ID to
 * node_modules/.cache/nx-container/<app>/imageid, one of the target's Nx outputs, so a cache hit restores it. The
 * ID is looked up in the Docker daemon for its `todo-<app>:nx-…` tag. Several such tags on one ID mean several
 * task hashes produced the same image: any of them names exactly the same content (the first, sorted, is taken).
 *
 * ESM with erasable TypeScript only and no relative imports: Node runs it as it is (the CLI), Nx and Jest compile it.
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

/** The image reference of `app`'s last container build; throws an ImageRefError that says what to run. */
export async function imageRef(app: string, source: ImageRefSource): Promise<ImageRef> {
  const { root, docker } = source;
  const idFile = path.join(source.cacheDir ?? imageCacheDir(root), app, 'imageid');
  let id: string;
  try {
    id = (await readFile(idFile, 'utf8')).trim();
  } catch {
    throw new ImageRefError(
      'not-built',
      `no image has been built for ${app} in this workspace (${path.relative(root, idFile)} is missing): run npx nx run ${app}:container`,
    );
  }
  const repository = imageRepository(app);
  const inspected = await docker(['image', 'inspect', '--format', '{{json .RepoTags}}', id]);
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
  let tags: string[];
  try {
    tags = (JSON.parse(inspected.stdout) as string[] | null) ?? [];
  } catch {
    throw new ImageRefError(
      'docker',
      `docker image inspect ${id} printed no tag list: ${inspected.stdout.slice(0, 200)}`,
    );
  }
  const ref = tags.filter((tag) => tag.startsWith(`${repository}:nx-`)).sort()[0];
  if (!ref)
    throw new ImageRefError(
      'stale',
      `image ${id} has no ${repository}:nx-… tag (tags: ${tags.join(', ') || 'none'}): rebuild it with npx nx run ${app}:container --skip-nx-cache`,
    );
  return { image: repository, tag: ref.slice(repository.length + 1), ref, id };
}
