// @ts-check
// Real-container tests of the frontend image (Next.js standalone). Run by tools/ci/containers.sh (not by `npm test`):
//   FRONTEND_IMAGE=todo-frontend:nx-… NODE_BASE_IMAGE=… node --test tools/containers/test/frontend.test.mjs
import assert from 'node:assert/strict';
import { describeImage, printFigures } from './image-suite.mjs';
import { requireEnv } from './docker.mjs';

const ref = requireEnv(
  'FRONTEND_IMAGE',
  'run `npx nx run frontend:container`, then `eval "$(node tools/containers/image-refs.mjs frontend)"`',
);
const baseRef = requireEnv(
  'NODE_BASE_IMAGE',
  'the BASE_IMAGE the image was built on (tools/images/base-images.sh prints it)',
);

printFigures();

describeImage({
  app: 'frontend',
  ref,
  baseRef,
  port: 3000,
  healthPath: '/api/health',
  // /api/health must answer without the backend: this address has nothing behind it.
  env: { BACKEND_URL: 'http://127.0.0.1:1' },
  tmpfs: ['/tmp', '/app/apps/frontend/.next/cache:uid=10001,gid=10001'],
  budgetMB: 60,
  // The whole image on the minimal base (tools/images/node-base); on the official node:24 slim image it is larger.
  totalBudgetMB: 150,
  // Next.js 16's server closes its listener and finishes in-flight requests on SIGTERM, then exits with 128+15 on
  // purpose (next/dist/server/lib/start-server.js); "promptly" is still checked.
  stopExitCodes: [0, 143],
  checkFiles(files) {
    assert.ok(files.includes('apps/frontend/server.js'), 'the standalone server');
    assert.ok(files.includes('apps/frontend/peer-address.cjs'), 'the preload that sets X-Forwarded-For to the peer');
    assert.ok(files.includes('apps/frontend/http-timeouts.cjs'), 'the preload that sets the server timeouts');
    assert.ok(
      files.some((file) => file.startsWith('apps/frontend/.next/static/')),
      'the static assets',
    );
    const unexpected = files.filter(
      (file) =>
        !/^(package\.json|node_modules\/.*|apps\/|apps\/frontend\/|apps\/frontend\/(server\.js|peer-address\.cjs|http-timeouts\.cjs|package\.json|\.next\/.*|public\/.*)|libs\/.*)$/.test(
          file,
        ),
    );
    assert.deepEqual(
      unexpected,
      [],
      'only the standalone output, its preload, its static assets and public/ under /app',
    );
    assert.ok(!files.some((file) => /^apps\/frontend\/(src|app)\//.test(file)), 'no sources');
    assert.ok(!files.some((file) => /^apps\/frontend\/\.next\/cache\/./.test(file)), 'no build cache');
  },
});
