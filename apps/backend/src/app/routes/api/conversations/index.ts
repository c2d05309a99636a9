import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import {
  Conversation,
  ConversationList,
  ConversationParams,
  ConversationQuery,
  MessageQuery,
  UserParams,
} from '@todo-stack/shared';
import { signedIn, userRouteErrors } from '../../openapi.js';

const NOT_FOUND = 'Conversation not found';
const errors = userRouteErrors;
const common = { tags: ['chat'], security: signedIn };

/**
 * /api/{user_id}/conversations: the chat agent's stored conversations, read in pages (like tasks) and deleted.
 * What one account keeps is capped (see LIMITS), so no request reads or holds an unbounded history.
 */
const conversationsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { conversationsRepository: conversations } = app;

  app.get(
    '/',
    {
      schema: {
        ...common,
        summary: 'List a page of conversations, most recently active first; `total` counts them all',
        params: UserParams,
        querystring: ConversationQuery,
        response: { 200: ConversationList, ...errors },
      },
    },
    async (request) => conversations.list(request.params.user_id, request.query),
  );

  app.get(
    '/:id',
    {
      schema: {
        ...common,
        summary: 'One conversation with a page of its messages (offset 0: the newest), oldest first',
        params: ConversationParams,
        querystring: MessageQuery,
        response: { 200: Conversation, ...errors },
      },
    },
    async (request, reply) => {
      const conversation = await conversations.get(request.params.user_id, request.params.id, request.query);
      return conversation ?? reply.notFound(NOT_FOUND);
    },
  );

  app.delete(
    '/:id',
    {
      schema: {
        ...common,
        summary: 'Delete a conversation and its messages',
        params: ConversationParams,
        response: { 204: Type.Null({ description: 'Deleted' }), ...errors },
      },
    },
    async (request, reply) => {
      const removed = await conversations.remove(request.params.user_id, request.params.id);
      return removed ? reply.status(204).send(null) : reply.notFound(NOT_FOUND);
    },
  );
};

export default conversationsRoutes;
