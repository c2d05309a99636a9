import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { imageCacheDir, imageRef, ImageRefError, imageRefs, type Docker, type DockerResult } from './image-refs.ts';

/** A workspace whose container targets recorded `ids` (app → image ID), and a Docker that answers `answer`. */
function workspace(ids: Record<string, string>, answer: (args: string[]) => Partial<DockerResult>) {
  const root = mkdtempSync(path.join(tmpdir(), 'image-refs-'));
  for (const [app, id] of Object.entries(ids)) {
    mkdirSync(path.join(root, 'node_modules/.cache/nx-container', app), { recursive: true });
    writeFileSync(path.join(root, 'node_modules/.cache/nx-container', app, 'imageid'), `${id}\n`);
  }
  const calls: string[][] = [];
  const docker: Docker = async (args) => {
    calls.push(args);
    return { code: 0, stdout: '', stderr: '', ...answer(args) };
  };
  return { root, docker, calls };
}

const problemOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'found',
    (error: unknown) => (error instanceof ImageRefError ? `${error.problem}: ${error.message}` : String(error)),
  );

describe('imageRef', () => {
  it('reads the recorded image ID and names the image by its nx- tag in Docker', async () => {
    const w = workspace({ backend: 'sha256:b1' }, () => ({ stdout: '["todo-backend:nx-42","other:latest"]\n' }));
    await expect(imageRef('backend', w)).resolves.toEqual({
      image: 'todo-backend',
      tag: 'nx-42',
      ref: 'todo-backend:nx-42',
      id: 'sha256:b1',
    });
    expect(w.calls).toEqual([['image', 'inspect', '--format', '{{json .RepoTags}}', 'sha256:b1']]);
  });

  it('takes the first nx- tag when several task hashes built the same image', async () => {
    const w = workspace({ frontend: 'sha256:f1' }, () => ({
      stdout: '["todo-frontend:nx-9","todo-frontend:nx-10","todo-backend:nx-1"]',
    }));
    await expect(imageRef('frontend', w)).resolves.toMatchObject({ ref: 'todo-frontend:nx-10' });
  });

  it('not-built, with the command to run, when no build was recorded (Docker is not asked)', async () => {
    const w = workspace({}, () => ({}));
    expect(await problemOf(imageRef('backend', w))).toMatch(
      /^not-built: no image has been built for backend .*node_modules\/.cache\/nx-container\/backend\/imageid is missing\): run npx nx run backend:container$/,
    );
    expect(w.calls).toEqual([]);
  });

  it('stale when Docker does not have the recorded image (a rebuild without the cache fixes it)', async () => {
    const w = workspace({ backend: 'sha256:gone' }, () => ({ code: 1, stderr: 'Error: No such image: sha256:gone' }));
    expect(await problemOf(imageRef('backend', w))).toMatch(
      /^stale: the backend image sha256:gone recorded by the Nx cache is not in this Docker daemon .*--skip-nx-cache$/,
    );
  });

  it('stale when the recorded image has no todo-<app>:nx- tag', async () => {
    const w = workspace({ backend: 'sha256:base' }, () => ({ stdout: '["node:24-slim"]' }));
    expect(await problemOf(imageRef('backend', w))).toMatch(/^stale: image sha256:base has no todo-backend:nx-… tag/);
  });

  it('docker when Docker cannot be asked: not installed, or another error', async () => {
    const missing = workspace({ backend: 'sha256:b1' }, () => ({ code: 127, stderr: 'spawn docker ENOENT' }));
    expect(await problemOf(imageRef('backend', missing))).toMatch(/^docker: the docker CLI is not installed/);
    const down = workspace({ backend: 'sha256:b1' }, () => ({
      code: 1,
      stderr: 'Cannot connect to the Docker daemon',
    }));
    expect(await problemOf(imageRef('backend', down))).toBe(
      'docker: docker image inspect sha256:b1: Cannot connect to the Docker daemon',
    );
  });

  it('reads another cache directory when asked (IMAGE_REFS_CACHE_DIR)', async () => {
    const w = workspace({ backend: 'sha256:b1' }, () => ({ stdout: '["todo-backend:nx-7"]' }));
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'cache-'));
    expect(imageCacheDir(w.root, {})).toBe(path.join(w.root, 'node_modules/.cache/nx-container'));
    expect(imageCacheDir(w.root, { IMAGE_REFS_CACHE_DIR: elsewhere })).toBe(elsewhere);
    expect(await problemOf(imageRef('backend', { ...w, cacheDir: elsewhere }))).toMatch(/^not-built:/);
  });
});

describe('imageRefs', () => {
  /** A Docker with `images` (ID → tags): a line per image it has, in the order asked; an error per other. */
  const daemon = (images: Record<string, string[]>) => (args: string[]) => {
    const ids = args.slice(4);
    const missing = ids.filter((id) => !images[id]);
    return {
      code: missing.length ? 1 : 0,
      stdout: ids.flatMap((id) => (images[id] ? [`${JSON.stringify(images[id])}\n`] : [])).join(''),
      stderr: missing.map((id) => `Error: No such image: ${id}\n`).join(''),
    };
  };
  const summary = (refs: Map<string, unknown>) =>
    Object.fromEntries(
      [...refs].map(([app, ref]) => [app, ref instanceof ImageRefError ? ref.problem : (ref as { ref: string }).ref]),
    );

  it('asks Docker once for every recorded image, in the order of the apps', async () => {
    const w = workspace(
      { backend: 'sha256:b', frontend: 'sha256:f' },
      daemon({ 'sha256:b': ['todo-backend:nx-1'], 'sha256:f': ['todo-frontend:nx-2'] }),
    );
    expect(summary(await imageRefs(['frontend', 'backend'], w))).toEqual({
      frontend: 'todo-frontend:nx-2',
      backend: 'todo-backend:nx-1',
    });
    expect(w.calls).toEqual([['image', 'inspect', '--format', '{{json .RepoTags}}', 'sha256:f', 'sha256:b']]);
  });

  it('when Docker lacks one, asks for each alone and says which: the other is still found', async () => {
    const w = workspace(
      { backend: 'sha256:gone', frontend: 'sha256:f' },
      daemon({ 'sha256:f': ['todo-frontend:nx-2'] }),
    );
    expect(summary(await imageRefs(['backend', 'frontend'], w))).toEqual({
      backend: 'stale',
      frontend: 'todo-frontend:nx-2',
    });
    expect(w.calls.map((args) => args.slice(4))).toEqual([['sha256:gone', 'sha256:f'], ['sha256:gone'], ['sha256:f']]);
  });

  it('an app never built is not-built; Docker is asked for the others only', async () => {
    const w = workspace({ frontend: 'sha256:f' }, daemon({ 'sha256:f': ['todo-frontend:nx-2'] }));
    expect(summary(await imageRefs(['backend', 'frontend'], w))).toEqual({
      backend: 'not-built',
      frontend: 'todo-frontend:nx-2',
    });
    expect(w.calls.map((args) => args.slice(4))).toEqual([['sha256:f']]);
  });
});
