import type { FastifyInstance } from 'fastify';
import health from './health.js';
import auth from './api/auth/index.js';
import userScope from './api/user-scope.js';
import tasks from './api/tasks/index.js';
import chat from './api/chat/index.js';
import conversations from './api/conversations/index.js';
import mcp from './mcp/index.js';

/**
 * URL layout: each folder serves the prefix it is named after. `health.ts` holds the root probes (/health, /ready),
 * `mcp/` serves /mcp and `api/auth/` serves /api/auth; every other folder under `api/` serves
 * /api/{user_id}/<folder>, behind `api/user-scope.ts`.
 */
export async function registerRoutes(app: FastifyInstance): Promise<void> {
  await app.register(health);
  await app.register(auth, { prefix: '/api/auth' });
  await app.register(mcp, { prefix: '/mcp' });
  // Everything under /api/{user_id} belongs to that user: authenticated and owner-checked once, here.
  await app.register(
    async (scoped) => {
      await scoped.register(userScope);
      await scoped.register(tasks, { prefix: '/tasks' });
      await scoped.register(chat, { prefix: '/chat' });
      await scoped.register(conversations, { prefix: '/conversations' });
    },
    { prefix: '/api/:user_id' },
  );
}
