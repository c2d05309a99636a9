// Prints the API's OpenAPI document (what /openapi.json serves) without listening: the app is built on a
// throwaway in-memory database, made ready, and asked for `app.swagger()`. Used by `nx run backend:generate-api`.
//   npx tsx apps/backend/scripts/openapi.ts > openapi.json
import type {} from '@fastify/swagger'; // its `app.swagger()` type, registered inside buildApp
import { buildApp } from '../src/app/app.js';
import { loadConfig } from '../src/config.js';

const config = {
  ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }),
  database: { kind: 'pglite', dataDir: 'memory://' } as const,
  migrateOnStart: false,
};
const app = await buildApp(config, { logger: false });
try {
  await app.ready();
  process.stdout.write(`${JSON.stringify(app.swagger(), null, 2)}\n`);
} finally {
  await app.close();
}
