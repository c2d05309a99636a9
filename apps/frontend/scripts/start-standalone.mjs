// `nx run frontend:start`: serves the production build the way the container does (the standalone server), with
// local defaults. The standalone folder leaves out static assets and public/ (Next expects a CDN or a copy), so they
// are copied next to server.js first. BACKEND_URL stays runtime configuration; the default suits `npm start`.
import { cpSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');
const standaloneApp = join(app, '.next/standalone/apps/frontend');
const server = join(standaloneApp, 'server.js');
if (!existsSync(server)) {
  console.error(`No standalone build at ${server}: run \`npx nx build frontend\` first.`);
  process.exit(1);
}
cpSync(join(app, '.next/static'), join(standaloneApp, '.next/static'), { recursive: true });
cpSync(join(app, 'public'), join(standaloneApp, 'public'), { recursive: true });

process.env.BACKEND_URL ||= 'http://127.0.0.1:8000';
process.env.PORT ||= '3000';
// Next's server listens on $HOSTNAME, which shells and containers often set to the machine's name: use our own
// variable here (the image sets HOSTNAME=0.0.0.0 itself).
process.env.HOSTNAME = process.env.FRONTEND_HOST || 'localhost';
console.log(`Frontend on http://localhost:${process.env.PORT} (API proxied to ${process.env.BACKEND_URL})`);
// What the image does with `node --require`: X-Forwarded-For becomes the socket's address (see peer-address.cjs).
createRequire(import.meta.url)('./peer-address.cjs');
// Header, request and keep-alive timeouts on the server Next creates (see http-timeouts.cjs).
createRequire(import.meta.url)('./http-timeouts.cjs');
await import(pathToFileURL(server).href);
