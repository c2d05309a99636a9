import type { FastifyInstance } from 'fastify';
import health from './health.js';
import auth from './api/auth/index.js';
import userScope from './api/user-scope.js';
import tasks from './api/tasks/index.js';
import chat from './api/chat/index.js';
import mcp from './mcp.js';

/** URL layout: prefixes mirror the folders under routes/. */
export async function registerRoutes(app: FastifyInstance): Promise<void> {
  await app.register(health);
  await app.register(auth, { prefix: '/api/auth' });
  await app.register(mcp);
  // Everything under /api/{user_id} belongs to that user: authenticated and owner-checked once, here.
  await app.register(
    async (scoped) => {
      await scoped.register(userScope);
      await scoped.register(tasks, { prefix: '/tasks' });
      await scoped.register(chat);
    },
    { prefix: '/api/:user_id' },
  );
}
