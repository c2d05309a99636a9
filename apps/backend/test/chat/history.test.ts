import { createConversationsRepository } from '../../src/chat/conversations-repository.js';
import { setupTestApp, signUp } from '../helper.js';

describe('chat history for the agent', () => {
  const ctx = setupTestApp();

  it('loads only the last N messages, oldest first, with only role and content', async () => {
    const user = await signUp(ctx.app);
    const conversations = createConversationsRepository(ctx.app.database.db);
    const { conversationId } = await conversations.start(user.id, 'message 0');
    for (let i = 1; i < 12; i++) {
      await conversations.append(conversationId, i % 2 ? 'assistant' : 'user', `message ${i}`, [
        { tool: 'list_tasks', arguments: {}, result: { tasks: [], total: 0 } },
      ]);
    }
    const history = await conversations.recentHistory(conversationId, 5);
    expect(history).toEqual([
      { role: 'assistant', content: 'message 7' },
      { role: 'user', content: 'message 8' },
      { role: 'assistant', content: 'message 9' },
      { role: 'user', content: 'message 10' },
      { role: 'assistant', content: 'message 11' },
    ]);
  });
});
