import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ChatFailure, ChatRequest, ChatResponse, ErrorBody, UserParams } from '@todo-stack/shared';
import type { ProviderFailure } from '../../../../chat/provider.js';
import { ChatTurnError, ConversationNotFoundError } from '../../../../chat/service.js';
import { clientOf } from '../../../client-budget.js';
import { signedIn, userRouteErrors } from '../../openapi.js';

const errors = userRouteErrors;
const common = { tags: ['chat'], security: signedIn };

/** Provider failures as HTTP: busy → 503, broken → 502, too slow → 504. */
const STATUS: Record<ProviderFailure, 502 | 503 | 504> = { rate_limited: 503, upstream: 502, timeout: 504 };

/** /api/{user_id}/chat: a turn with the chat agent (the stored history is under ../conversations). */
const chatRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { chat, config } = app;

  app.post(
    '/',
    {
      config: {
        rateLimit: {
          max: config.chat.rateLimit.max,
          timeWindow: config.chat.rateLimit.windowSeconds * 1000,
          // Per signed-in user (user-scope has authenticated the request by now), not per address.
          keyGenerator: (request) => `chat|${request.userId ?? clientOf(request)}`,
        },
      },
      schema: {
        ...common,
        summary: 'Send a message to the assistant (starts or continues a conversation; 409 once the history is full)',
        description:
          'Stateless: the history is read from the database, the message is stored first, then the agent runs its tools and the reply is stored. ' +
          'When the AI provider fails the message is kept and the answer is 503 (rate limited), 502 (unavailable) or 504 (timed out) with the conversation id.',
        params: UserParams,
        body: ChatRequest,
        response: {
          200: ChatResponse,
          ...errors,
          409: ErrorBody,
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
        if (error instanceof ConversationNotFoundError) return reply.notFound('Conversation not found');
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
};

export default chatRoutes;
