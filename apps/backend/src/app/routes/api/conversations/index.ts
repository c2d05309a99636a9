import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Conversation, ConversationList, ConversationParams, UserParams } from '@todo-stack/shared';
import { signedIn, userRouteErrors } from '../../openapi.js';

const errors = userRouteErrors;
const common = { tags: ['chat'], security: signedIn };

/** /api/{user_id}/conversations: the chat agent's stored conversations, read-only. */
const conversationsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { conversationsRepository: conversations } = app;

  app.get(
    '/',
    {
      schema: {
        ...common,
        summary: 'List conversations, most recently active first',
        params: UserParams,
        response: { 200: ConversationList, ...errors },
      },
    },
    async (request) => ({ conversations: await conversations.list(request.params.user_id) }),
  );

  app.get(
    '/:id',
    {
      schema: {
        ...common,
        summary: 'One conversation with its messages, oldest first',
        params: ConversationParams,
        response: { 200: Conversation, ...errors },
      },
    },
    async (request, reply) => {
      const conversation = await conversations.get(request.params.user_id, request.params.id);
      return conversation ?? reply.notFound('Conversation not found');
    },
  );
};

export default conversationsRoutes;
