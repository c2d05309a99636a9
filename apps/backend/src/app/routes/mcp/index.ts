import type { FastifyPluginAsync } from 'fastify';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createTaskMcpServer } from '../../../mcp/server.js';
import { clientOf } from '../../client-budget.js';
import { signedIn } from '../openapi.js';

/**
 * /mcp: the task tools over MCP's streamable HTTP transport, for editors and other agents. Same
 * authentication as /api (session cookie or Bearer, else 401); the tools act for the signed-in user.
 * Stateless: a new server and transport per request, so any replica answers any call. Rate limited per user, and
 * one request is one JSON-RPC message, so the budget counts calls: batches (which the SDK would accept, up to 100
 * calls in one request) are refused, as MCP's protocol revisions since 2025-06-18 dropped JSON-RPC batching.
 */
const mcpRoutes: FastifyPluginAsync = async (app) => {
  const { rateLimit } = app.config.mcp;
  app.route({
    method: ['POST', 'GET', 'DELETE'],
    url: '/',
    onRequest: app.authenticate,
    config: {
      rateLimit: {
        max: rateLimit.max,
        timeWindow: rateLimit.windowSeconds * 1000,
        // After authentication, so the budget is the user's rather than a shared address's.
        hook: 'preHandler',
        keyGenerator: (request) => `mcp|${request.userId ?? clientOf(request)}`,
      },
    },
    schema: {
      tags: ['mcp'],
      summary: 'MCP (streamable HTTP, stateless): add_task, list_tasks, complete_task, delete_task, update_task',
      security: signedIn,
    },
    handler: async (request, reply) => {
      if (request.method !== 'POST') {
        // No sessions and no server-initiated streams in stateless mode.
        reply.header('allow', 'POST');
        return reply.methodNotAllowed(
          'Method not allowed: this MCP endpoint is stateless; send JSON-RPC requests with POST.',
        );
      }
      if (Array.isArray(request.body)) {
        const message = 'JSON-RPC batches are not supported: send one message per request.';
        // JSON-RPC's error for JSON-RPC clients, `detail` as every other API error.
        return reply.status(400).send({ jsonrpc: '2.0', id: null, error: { code: -32600, message }, detail: message });
      }
      const server = createTaskMcpServer(app.tasksRepository, request.userId as string, {
        requestId: request.id,
        log: request.log,
      });
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      reply.raw.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      // The transport writes the response itself: hand it the headers set so far (security headers, request id).
      for (const [name, value] of Object.entries(reply.getHeaders())) {
        if (value !== undefined) reply.raw.setHeader(name, value);
      }
      reply.hijack();
      await transport.handleRequest(request.raw, reply.raw, request.body);
    },
  });
};

export default mcpRoutes;
