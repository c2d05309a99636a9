import fp from 'fastify-plugin';
import { createConversationsRepository, type ConversationsRepository } from '../../../chat/conversations-repository.js';
import { createOfflineProvider } from '../../../chat/offline/agent.js';
import { createOpenAIProvider } from '../../../chat/openai/provider.js';
import { createChatService, type ChatService } from '../../../chat/service.js';

declare module 'fastify' {
  interface FastifyInstance {
    conversationsRepository: ConversationsRepository;
    chat: ChatService;
  }
}

/** The chat agent: OpenAI (or a compatible server) when a key is configured, else the offline agent. */
export default fp(
  async (app) => {
    const conversations = createConversationsRepository(app.database.db);
    const { openai } = app.config.chat;
    const provider = openai ? createOpenAIProvider(openai) : createOfflineProvider();
    app.log.info({ provider: provider.name, model: openai?.model, baseUrl: openai?.baseUrl }, 'chat agent ready');
    app.decorate('conversationsRepository', conversations);
    app.decorate(
      'chat',
      createChatService({ conversations, tasks: app.tasksRepository, provider, metrics: app.metrics?.chat }),
    );
  },
  { name: 'chat', dependencies: ['config', 'database', 'metrics', 'tasks-repository'] },
);
