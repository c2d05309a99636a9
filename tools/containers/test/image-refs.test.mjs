// @ts-check
// image-refs.mjs against the real Docker daemon: what it prints, and the exit code that tells the deploy executor a
// rebuild will fix it (3: the Nx cache names an image this daemon does not have). Run by tools/ci/containers.sh:
//   BACKEND_IMAGE=todo-backend:nx-… NODE_BASE_IMAGE=… node --test tools/containers/test/image-refs.test.mjs
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { docker, requireEnv } from './docker.mjs';

const script = fileURLToPath(new URL('../image-refs.mjs', import.meta.url));
const backendRef = requireEnv('BACKEND_IMAGE', 'run `npx nx run backend:container` first');
const baseRef = requireEnv('NODE_BASE_IMAGE', 'the BASE_IMAGE the images were built on');
const cacheDir = mkdtempSync(path.join(tmpdir(), 'image-refs-'));
after(() => rmSync(cacheDir, { recursive: true, force: true }));

/** Runs image-refs.mjs for the backend with `id` recorded as its last build (undefined: nothing recorded). */
function imageRefs(/** @type {string | undefined} */ id) {
  rmSync(path.join(cacheDir, 'backend'), { recursive: true, force: true });
  if (id !== undefined) {
    mkdirSync(path.join(cacheDir, 'backend'), { recursive: true });
    writeFileSync(path.join(cacheDir, 'backend', 'imageid'), `${id}\n`);
  }
  return spawnSync(process.execPath, [script, 'backend'], {
    encoding: 'utf8',
    env: { ...process.env, IMAGE_REFS_CACHE_DIR: cacheDir },
  });
}

describe('image-refs.mjs', () => {
  test('prints the nx- tag of the image the Nx cache recorded', async () => {
    const id = await docker(['image', 'inspect', '--format', '{{.Id}}', backendRef]);
    const result = imageRefs(id);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^BACKEND_IMAGE=todo-backend:nx-\S+\n$/);
  });

  test('exits 1 with what to run when nothing was built', () => {
    const result = imageRefs(undefined);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /no image has been built for backend.*npx nx run backend:container/);
  });

  test('exits 3 (a rebuild fixes it) when the recorded image is not in this daemon', () => {
    const result = imageRefs(`sha256:${'0'.repeat(64)}`);
    assert.equal(result.status, 3, result.stderr);
    assert.match(result.stderr, /recorded by the Nx cache is not in this Docker daemon/);
  });

  test('exits 3 when the recorded image has no todo-backend:nx- tag', async () => {
    const result = imageRefs(await docker(['image', 'inspect', '--format', '{{.Id}}', baseRef]));
    assert.equal(result.status, 3, result.stderr);
    assert.match(result.stderr, /has no todo-backend:nx-… tag/);
  });
});
