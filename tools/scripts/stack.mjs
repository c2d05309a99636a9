// The two servers `npm start` runs (start.mjs), with the environment each one gets: kept apart from start.mjs, which
// builds and runs them, so tests can check what the stack is started with (test/stack.test.mjs).
import { resolve } from 'node:path';

export const OTHER_PORTS = 'BACKEND_URL=http://127.0.0.1:8100 FRONTEND_ORIGIN=http://localhost:3100 npm start';

const portOf = (url) => url.port || (url.protocol === 'https:' ? '443' : '80');

/** Backend and frontend as `npm start` runs them, from the variables the user set (`env`). */
export function stackApps(env = process.env) {
  const backendUrl = new URL(env.BACKEND_URL || 'http://127.0.0.1:8000');
  const frontendUrl = new URL((env.FRONTEND_ORIGIN || 'http://localhost:3000').split(',')[0]);
  // Only the host is ever printed: the URL holds the password. A malformed one is left to the backend's start-up
  // check (which names it without echoing it): `new URL` would throw with the whole value in its `input`.
  const database = env.DATABASE_URL
    ? `PostgreSQL at ${URL.canParse(env.DATABASE_URL) ? new URL(env.DATABASE_URL).host : 'DATABASE_URL'}`
    : `PGlite in ${resolve(env.PGLITE_DATA_DIR || '.data/pglite')}`;
  const apps = [
    {
      name: 'backend',
      host: env.HOST || '127.0.0.1',
      port: portOf(backendUrl),
      env: {
        PORT: portOf(backendUrl),
        FRONTEND_ORIGIN: env.FRONTEND_ORIGIN || frontendUrl.origin,
        // Browsers reach the API through the frontend's /api forwarder, which sends the browser's address as the
        // one X-Forwarded-For entry: trusting that one hop gives each browser its own rate-limit budget (trusting
        // none made every browser one client). The backend listens on loopback, so only local processes can reach
        // it without the forwarder; listening elsewhere (HOST) exposes the header to whoever can connect.
        TRUST_PROXY_HOPS: '1',
      },
      probe: new URL('/ready', backendUrl),
      ready: `backend ready at ${backendUrl.origin} (${database}; API docs at ${new URL('/docs', backendUrl)})`,
      hint: 'a 503 from /ready means the database did not answer: check DATABASE_URL or PGLITE_DATA_DIR',
    },
    {
      name: 'frontend',
      host: env.FRONTEND_HOST || 'localhost',
      port: portOf(frontendUrl),
      env: { PORT: portOf(frontendUrl), BACKEND_URL: backendUrl.origin },
      probe: new URL('/', frontendUrl),
      ready: `frontend ready at ${frontendUrl.origin}`,
      hint: 'Next.js reports its start-up errors there',
    },
  ];
  return { apps, frontendUrl };
}
