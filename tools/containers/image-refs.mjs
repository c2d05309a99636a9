#!/usr/bin/env node
// @ts-check
/**
 * Prints the image each app's last `nx run <app>:container` produced, for compose, tests and deploy tooling.
 *
 *   node tools/containers/image-refs.mjs [--json] [app…]      (apps: backend frontend; default: both)
 *
 *   BACKEND_IMAGE=todo-backend:nx-1234567890
 *   FRONTEND_IMAGE=todo-frontend:nx-0987654321
 *
 * --json: {"backend":{"image":"todo-backend","tag":"nx-…","ref":"todo-backend:nx-…","id":"sha256:…"},…}
 *
 * Source of truth: the `container` target writes the built image's ID to
 * node_modules/.cache/nx-container/<app>/imageid (an Nx output of the target, so a cache hit restores it). The
 * image must still be in the Docker daemon; its `todo-<app>:nx-<hash>` tag is looked up there. Several such tags on one
 * ID mean several task hashes produced the same image: any of them names exactly the same content.
 * IMAGE_REFS_CACHE_DIR replaces node_modules/.cache/nx-container (the deploy executor's end-to-end test uses it).
 *
 * Exit codes: 0 found; 1 no image built yet, or another error; 3 (STALE_EXIT) the Nx cache records an image this
 * Docker daemon no longer has (pruned, or another daemon), so the deploy executor knows a rebuild will fix it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const workspaceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const APPS = ['backend', 'frontend'];
const STALE_EXIT = 3;

/** The Nx cache names an image the Docker daemon does not have (or not under our tag): a rebuild fixes it. */
class StaleImageError extends Error {}

/** @param {string} message @param {number} [code] */
function fail(message, code = 1) {
  process.stderr.write(`image-refs: ${message}\n`);
  process.exit(code);
}

/**
 * @param {string} app
 * @returns {{ image: string; tag: string; ref: string; id: string }}
 */
export function imageRef(app) {
  const cacheDir = process.env.IMAGE_REFS_CACHE_DIR || path.join(workspaceRoot, 'node_modules/.cache/nx-container');
  const idFile = path.join(cacheDir, app, 'imageid');
  let id;
  try {
    id = readFileSync(idFile, 'utf8').trim();
  } catch {
    throw new Error(
      `no image has been built for ${app} in this workspace (${path.relative(workspaceRoot, idFile)} is missing): run npx nx run ${app}:container`,
    );
  }
  const repository = `todo-${app}`;
  let tags;
  try {
    const out = execFileSync('docker', ['image', 'inspect', '--format', '{{json .RepoTags}}', id], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    tags = /** @type {string[]} */ (JSON.parse(out) ?? []);
  } catch (error) {
    const e = /** @type {Error & { code?: string; stderr?: string }} */ (error);
    if (e.code === 'ENOENT') throw new Error('the docker CLI is not installed (see docs/troubleshooting.md)');
    if (!/no such image/i.test(e.stderr ?? ''))
      throw new Error(`docker image inspect ${id}: ${e.stderr?.trim() || e.message}`);
    throw new StaleImageError(
      `the ${app} image ${id} recorded by the Nx cache is not in this Docker daemon (removed, or another daemon): rebuild it with npx nx run ${app}:container --skip-nx-cache`,
    );
  }
  const ref = tags.filter((tag) => tag.startsWith(`${repository}:nx-`)).sort()[0];
  if (!ref)
    throw new StaleImageError(
      `image ${id} has no ${repository}:nx-… tag (tags: ${tags.join(', ') || 'none'}): rebuild it with npx nx run ${app}:container --skip-nx-cache`,
    );
  return { image: repository, tag: ref.slice(repository.length + 1), ref, id };
}

function main() {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const apps = args.filter((arg) => arg !== '--json');
  for (const app of apps) if (!APPS.includes(app)) fail(`unknown app "${app}" (expected one of: ${APPS.join(', ')})`);
  /** @type {Record<string, ReturnType<typeof imageRef>>} */
  const refs = {};
  try {
    for (const app of apps.length ? apps : APPS) refs[app] = imageRef(app);
  } catch (error) {
    fail(/** @type {Error} */ (error).message, error instanceof StaleImageError ? STALE_EXIT : 1);
  }
  if (json) process.stdout.write(`${JSON.stringify(refs, null, 2)}\n`);
  else for (const [app, { ref }] of Object.entries(refs)) process.stdout.write(`${app.toUpperCase()}_IMAGE=${ref}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
