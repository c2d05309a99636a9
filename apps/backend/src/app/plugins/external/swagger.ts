import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { assetDir } from '../../../paths.js';

/** OpenAPI document built from the same route schemas that validate requests; docs UI at /docs. */
export default fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Todo Stack API',
          description:
            'Tasks and a chat agent that manages them. Errors are `{detail}` bodies, as FastAPI writes them.',
          version: '1.0.0',
        },
        components: {
          securitySchemes: {
            bearer: { type: 'http', scheme: 'bearer', description: 'The `token` answered by sign-up or sign-in.' },
            cookie: { type: 'apiKey', in: 'cookie', name: 'better-auth.session_token' },
          },
        },
        tags: [
          { name: 'health', description: 'Probes' },
          { name: 'auth', description: 'Email + password accounts (Better Auth)' },
          { name: 'tasks', description: "The signed-in user's tasks" },
          { name: 'chat', description: 'The assistant that manages tasks, and the stored conversations' },
          { name: 'mcp', description: 'The task tools for MCP clients (streamable HTTP)' },
        ],
      },
    });
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      // The bundle carries the UI's static files beside main.js; from source the package finds its own.
      baseDir: assetDir('static'),
    });
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'swagger', dependencies: ['config'] },
);
