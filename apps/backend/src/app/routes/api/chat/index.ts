import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ChatFailure,
  ChatRequest,
  ChatResponse,
  Conversation,
  ConversationList,
  ConversationParams,
  ErrorBody,
  UserParams,
} from '@todo-stack/shared';
import type { ProviderFailure } from '../../../../chat/provider.js';
import { ChatTurnError, ConversationNotFoundError } from '../../../../chat/service.js';

const NOT_FOUND = { detail: 'Conversation not found' };
const errors = { 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody };
const security: Record<string, string[]>[] = [{ bearer: [] }, { cookie: [] }];
const common = { tags: ['chat'], security };

/** Provider failures as HTTP: busy → 503, broken → 502, too slow → 504. */
const STATUS: Record<ProviderFailure, 502 | 503 | 504> = { rate_limited: 503, upstream: 502, timeout: 504 };

/** /api/{user_id}/chat and /conversations: the chat agent and its stored history. */
const chatRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { chat, conversationsRepository: conversations, config } = app;

  app.post(
    '/chat',
    {
      config: {
        rateLimit: {
          max: config.chat.rateLimit.max,
          timeWindow: config.chat.rateLimit.windowSeconds * 1000,
          // Per signed-in user (user-scope has authenticated the request by now), not per address.
          keyGenerator: (request) => `chat|${request.userId ?? request.ip}`,
        },
      },
      schema: {
        ...common,
        summary: 'Send a message to the assistant (starts or continues a conversation)',
        description:
          'Stateless: the history is read from the database, the message is stored first, then the agent runs its tools and the reply is stored. ' +
          'When the AI provider fails the message is kept and the answer is 503 (rate limited), 502 (unavailable) or 504 (timed out) with the conversation id.',
        params: UserParams,
        body: ChatRequest,
        response: {
          200: ChatResponse,
          ...errors,
          429: ErrorBody,
          502: ChatFailure,
          503: ChatFailure,
          504: ChatFailure,
        },
      },
    },
    async (request, reply) => {
      try {
        return await chat.send(request.params.user_id, request.body, { requestId: request.id, log: request.log });
      } catch (error) {
        if (error instanceof ConversationNotFoundError) return reply.status(404).send(NOT_FOUND);
        if (error instanceof ChatTurnError) {
          request.log.warn(
            { provider: chat.provider, failure: error.failure.kind, conversation_id: error.conversationId },
            'chat provider failed',
          );
          if (error.failure.kind === 'rate_limited')
            reply.header('retry-after', String(error.failure.retryAfter ?? 10));
          return reply
            .status(STATUS[error.failure.kind])
            .send({ detail: error.message, conversation_id: error.conversationId });
        }
        throw error;
      }
    },
  );

  app.get(
    '/conversations',
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
    '/conversations/:id',
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
      return conversation ?? reply.status(404).send(NOT_FOUND);
    },
  );
};

export default chatRoutes;
