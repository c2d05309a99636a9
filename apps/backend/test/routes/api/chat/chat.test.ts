import type { ChatResponse, Conversation, ConversationList, TaskList } from '@todo-stack/shared';
import { buildApp } from '../../../../src/app/app.js';
import { asUser, expectValidationError, setupTestApp, signUp, testConfig, type TestUser } from '../../../helper.js';

describe('/api/{user_id}/chat with the offline agent (no OPENAI_API_KEY)', () => {
  const ctx = setupTestApp();
  let alice: TestUser;
  let bob: TestUser;
  let as: ReturnType<typeof asUser>;

  beforeAll(async () => {
    [alice, bob] = await Promise.all([signUp(ctx.app, { name: 'Alice' }), signUp(ctx.app, { name: 'Bob' })]);
    as = asUser(ctx.app, alice);
  });

  const say = async (message: string, conversation_id?: number, user = alice) => {
    const res = await asUser(
      ctx.app,
      user,
    )({ method: 'POST', url: '/chat', payload: { message, ...(conversation_id ? { conversation_id } : {}) } });
    expect(res.statusCode).toBe(200);
    return res.json<ChatResponse>();
  };

  it('add → list → complete → delete, black-box through POST /chat', async () => {
    const added = await say('add buy milk');
    const conversationId = added.conversation_id;
    expect(added.response).toMatch(/^Added task #(\d+) "Buy milk"\.$/);
    expect(added.tool_calls).toEqual([
      {
        tool: 'add_task',
        arguments: { title: 'Buy milk' },
        result: { task_id: expect.any(Number), status: 'created', title: 'Buy milk' },
      },
    ]);
    const id = (added.tool_calls[0]?.result as { task_id: number }).task_id;
    // The task is real: the tasks API sees it.
    const tasks = (await as({ method: 'GET', url: '/tasks' })).json<TaskList>();
    expect(tasks.tasks).toEqual([expect.objectContaining({ id, title: 'Buy milk', completed: false })]);

    const listed = await say("what's left?", conversationId);
    expect(listed.conversation_id).toBe(conversationId);
    expect(listed.response).toContain(`#${id} Buy milk`);
    expect(listed.tool_calls.map((call) => call.tool)).toEqual(['list_tasks']);

    const done = await say('done with the milk one', conversationId);
    expect(done.response).toBe(`Marked task #${id} "Buy milk" as done.`);
    expect(done.tool_calls.map((call) => call.tool)).toEqual(['list_tasks', 'complete_task']);
    expect((await as({ method: 'GET', url: `/tasks/${id}` })).json()).toMatchObject({ completed: true });

    const deleted = await say(`delete task ${id}`, conversationId);
    expect(deleted.response).toBe(`Deleted task #${id} "Buy milk".`);
    expect((await as({ method: 'GET', url: `/tasks/${id}` })).statusCode).toBe(404);

    // Everything is stored, in order, with the tools each reply ran.
    const conversation = (await as({ method: 'GET', url: `/conversations/${conversationId}` })).json<Conversation>();
    expect(conversation).toMatchObject({ id: conversationId, title: 'add buy milk' });
    expect(conversation.messages.map((m) => [m.role, m.content])).toEqual([
      ['user', 'add buy milk'],
      ['assistant', added.response],
      ['user', "what's left?"],
      ['assistant', listed.response],
      ['user', 'done with the milk one'],
      ['assistant', done.response],
      ['user', `delete task ${id}`],
      ['assistant', deleted.response],
    ]);
    expect(conversation.messages[1]?.tool_calls).toEqual(added.tool_calls);
    expect(conversation.messages[0]?.tool_calls).toEqual([]);
    const ids = conversation.messages.map((m) => m.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('lists conversations, most recently active first', async () => {
    const first = await say('hello');
    const second = await say('help');
    await say('thanks', first.conversation_id);
    const res = await as({ method: 'GET', url: '/conversations' });
    expect(res.statusCode).toBe(200);
    const { conversations } = res.json<ConversationList>();
    expect(conversations.slice(0, 2).map((c) => [c.id, c.title])).toEqual([
      [first.conversation_id, 'hello'],
      [second.conversation_id, 'help'],
    ]);
  });

  it("another user's conversation is a 404 to read and to continue, and stays untouched", async () => {
    const mine = await say('add secret plan');
    const before = (await as({ method: 'GET', url: `/conversations/${mine.conversation_id}` })).json<Conversation>();

    const asBob = asUser(ctx.app, bob);
    expect((await asBob({ method: 'GET', url: `/conversations/${mine.conversation_id}` })).statusCode).toBe(404);
    const hijack = await asBob({
      method: 'POST',
      url: '/chat',
      payload: { conversation_id: mine.conversation_id, message: 'list tasks' },
    });
    expect(hijack.statusCode).toBe(404);
    expect(hijack.json()).toEqual({ detail: 'Conversation not found' });
    expect(
      (await asBob({ method: 'GET', url: '/conversations' })).json<ConversationList>().conversations.map((c) => c.id),
    ).not.toContain(mine.conversation_id);
    expect((await asBob({ method: 'GET', url: '/tasks' })).json<TaskList>().total).toBe(0);

    expect((await as({ method: 'GET', url: `/conversations/${mine.conversation_id}` })).json()).toEqual(before);
    expect((await as({ method: 'GET', url: '/conversations/999999' })).statusCode).toBe(404);
    expect(
      (await as({ method: 'POST', url: '/chat', payload: { conversation_id: 999999, message: 'hi' } })).statusCode,
    ).toBe(404);
  });

  it('401 without a session, 403 for another user path', async () => {
    const anonymous = await ctx.app.inject({
      method: 'POST',
      url: `/api/${alice.id}/chat`,
      payload: { message: 'hi' },
    });
    expect(anonymous.statusCode).toBe(401);
    const other = await as({ method: 'POST', url: '/chat', payload: { message: 'hi' }, headers: bob.headers });
    expect(other.statusCode).toBe(403);
    expect((await ctx.app.inject({ url: `/api/${alice.id}/conversations` })).statusCode).toBe(401);
  });

  it('validates the body (422) without storing anything', async () => {
    const before = (await as({ method: 'GET', url: '/conversations' })).json<ConversationList>().conversations.length;
    expectValidationError(await as({ method: 'POST', url: '/chat', payload: {} }), ['body', 'message']);
    expectValidationError(await as({ method: 'POST', url: '/chat', payload: { message: '   ' } }), ['body', 'message']);
    expectValidationError(await as({ method: 'POST', url: '/chat', payload: { message: 'x'.repeat(5001) } }), [
      'body',
      'message',
    ]);
    expectValidationError(await as({ method: 'POST', url: '/chat', payload: { message: 'hi', conversation_id: 0 } }), [
      'body',
      'conversation_id',
    ]);
    expectValidationError(await as({ method: 'GET', url: '/conversations/abc' }), ['path', 'id']);
    expect((await as({ method: 'GET', url: '/conversations' })).json<ConversationList>().conversations.length).toBe(
      before,
    );
  });
});

describe('conversations across app instances sharing one database', () => {
  const ctx = setupTestApp();

  it('a conversation continued on a second instance has the same history, in a stable order', async () => {
    const other = await buildApp(testConfig(ctx.db), { logger: false, database: ctx.db.database });
    try {
      const user = await signUp(ctx.app);
      const onA = asUser(ctx.app, user);
      const onB = asUser(other, user);
      const first = (
        await onA({ method: 'POST', url: '/chat', payload: { message: 'add water the plants' } })
      ).json<ChatResponse>();
      const second = (
        await onB({
          method: 'POST',
          url: '/chat',
          payload: { conversation_id: first.conversation_id, message: 'show my tasks' },
        })
      ).json<ChatResponse>();
      expect(second.conversation_id).toBe(first.conversation_id);
      // Instance B's agent sees the task instance A's agent created.
      expect(second.response).toContain('Water the plants');
      await onA({
        method: 'POST',
        url: '/chat',
        payload: { conversation_id: first.conversation_id, message: 'thanks' },
      });

      const fromA = (await onA({ method: 'GET', url: `/conversations/${first.conversation_id}` })).json<Conversation>();
      const fromB = (await onB({ method: 'GET', url: `/conversations/${first.conversation_id}` })).json<Conversation>();
      expect(fromB).toEqual(fromA);
      expect(fromA.messages.map((m) => m.content)).toEqual([
        'add water the plants',
        first.response,
        'show my tasks',
        second.response,
        'thanks',
        expect.stringMatching(/welcome/),
      ]);
      // Reading again gives the same order.
      expect((await onB({ method: 'GET', url: `/conversations/${first.conversation_id}` })).json()).toEqual(fromA);
    } finally {
      await other.close();
    }
  });
});

describe('chat rate limit (per user)', () => {
  const ctx = setupTestApp({ CHAT_RATE_LIMIT: '2', CHAT_RATE_WINDOW_SECONDS: '60' });

  it('answers 429 in the error shape after the limit, per user', async () => {
    const [carol, dave] = await Promise.all([signUp(ctx.app), signUp(ctx.app)]);
    const asCarol = asUser(ctx.app, carol);
    expect((await asCarol({ method: 'POST', url: '/chat', payload: { message: 'hi' } })).statusCode).toBe(200);
    expect((await asCarol({ method: 'POST', url: '/chat', payload: { message: 'hi' } })).statusCode).toBe(200);
    const limited = await asCarol({ method: 'POST', url: '/chat', payload: { message: 'hi' } });
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toEqual({ detail: expect.stringMatching(/^Too many requests/) });
    // Someone else is not affected (same address, different user).
    expect((await asUser(ctx.app, dave)({ method: 'POST', url: '/chat', payload: { message: 'hi' } })).statusCode).toBe(
      200,
    );
  });
});
