#!/usr/bin/env node
// @ts-check
/**
 * Prints the image each app's last `nx run <app>:container` produced, for compose, tests and CI scripts.
 *
 *   node tools/containers/image-refs.mjs [--json] [app…]      (apps: backend frontend; default: both)
 *
 *   BACKEND_IMAGE=todo-backend:nx-1234567890
 *   FRONTEND_IMAGE=todo-frontend:nx-0987654321
 *
 * --json: {"backend":{"image":"todo-backend","tag":"nx-…","ref":"todo-backend:nx-…","id":"sha256:…"},…}
 *
 * A CLI over tools/nx-plugin/src/lib/image-refs.ts, the function the deploy executor imports: both read the same
 * tag the same way (the imageid the container target recorded, its todo-<app>:nx-<hash> tag in Docker).
 * IMAGE_REFS_CACHE_DIR replaces node_modules/.cache/nx-container.
 *
 * Exit codes: 0 found; 1 no image built yet, or another error; 3 the Nx cache records an image this Docker daemon
 * no longer has (pruned, or another daemon): `npx nx run <app>:container --skip-nx-cache` rebuilds it.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// The one implementation is the deploy executor's (tools/nx-plugin); this file is its CLI, run by node from source.
// eslint-disable-next-line @nx/enforce-module-boundaries -- the plugin is not an npm package the workspace imports by name
import { ImageRefError, imageRefs } from '../nx-plugin/src/lib/image-refs.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const APPS = ['backend', 'frontend'];
const STALE_EXIT = 3;

/** @type {import('../nx-plugin/src/lib/image-refs.ts').Docker} */
const docker = (args) =>
  new Promise((resolve) =>
    execFile('docker', args, { encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = /** @type {{ code?: unknown } | null} */ (error)?.code;
      resolve({ code: !error ? 0 : code === 'ENOENT' ? 127 : typeof code === 'number' ? code : 1, stdout, stderr });
    }),
  );

/** @param {string} message @param {number} [code] */
function fail(message, code = 1) {
  process.stderr.write(`image-refs: ${message}\n`);
  process.exit(code);
}

const args = process.argv.slice(2);
const json = args.includes('--json');
const apps = args.filter((arg) => arg !== '--json');
for (const app of apps) if (!APPS.includes(app)) fail(`unknown app "${app}" (expected one of: ${APPS.join(', ')})`);
/** @type {Record<string, import('../nx-plugin/src/lib/image-refs.ts').ImageRef>} */
const refs = {};
for (const [app, ref] of await imageRefs(apps.length ? apps : APPS, { root, docker })) {
  if (ref instanceof ImageRefError) fail(ref.message, ref.problem === 'stale' ? STALE_EXIT : 1);
  else refs[app] = ref;
}
if (json) process.stdout.write(`${JSON.stringify(refs, null, 2)}\n`);
else for (const [app, { ref }] of Object.entries(refs)) process.stdout.write(`${app.toUpperCase()}_IMAGE=${ref}\n`);
