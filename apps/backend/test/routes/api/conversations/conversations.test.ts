import { LIMITS, type ChatResponse, type Conversation, type ConversationList, type ToolCall } from '@todo-stack/shared';
import { asUser, expectValidationError, setupTestApp, signUp, type TestUser } from '../../../helper.js';

/**
 * What one account can store in its chat history is capped, and every read of it is a bounded page: one account's
 * history can never make a request read (and hold in memory) more than one page, whatever it has grown to.
 */
describe('conversations: bounded history, paged reads', () => {
  const ctx = setupTestApp();
  let user: TestUser;
  let as: ReturnType<typeof asUser>;

  beforeAll(async () => {
    user = await signUp(ctx.app);
    as = asUser(ctx.app, user);
  });

  /** `count` conversations for `owner`, written straight to the database (a long history without 1000s of turns). */
  const seedConversations = (owner: TestUser, count: number) =>
    ctx.db.query(
      `insert into conversations (user_id, title, updated_at)
       select $1, 'seeded ' || g, now() - g * interval '1 minute' from generate_series(1, $2::int) g`,
      [owner.id, count],
    );
  const seedMessages = async (conversationId: number, count: number) =>
    ctx.db.query(
      `insert into messages (conversation_id, role, content)
       select $1, (case when g % 2 = 1 then 'user' else 'assistant' end)::message_role, 'message ' || g
       from generate_series(1, $2::int) g`,
      [conversationId, count],
    );
  const countRows = async (sql: string, params: unknown[]) =>
    Number((await ctx.db.query<{ n: string }>(sql, params))[0]?.n);
  const chat = (message: string, conversation_id?: number, owner = user) =>
    asUser(ctx.app, owner)({ method: 'POST', url: '/chat', payload: { message, conversation_id } });

  it('a conversation is read one page at a time, the newest first, never more than the largest page', async () => {
    const started = (await chat('show my tasks')).json<ChatResponse>();
    await seedMessages(started.conversation_id, 300);
    const total = 302;
    const url = `/conversations/${started.conversation_id}`;

    const first = (await as({ method: 'GET', url })).json<Conversation>();
    expect(first.total).toBe(total);
    expect(first.messages).toHaveLength(LIMITS.messagePageDefault);
    // The newest page, oldest first within it.
    expect(first.messages.at(-1)?.content).toBe('message 300');
    const ids = first.messages.map((m) => m.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));

    const older = (
      await as({ method: 'GET', url: `${url}?limit=10&offset=${LIMITS.messagePageDefault}` })
    ).json<Conversation>();
    expect(older.messages.map((m) => m.content)).toEqual(
      Array.from({ length: 10 }, (_, i) => `message ${300 - LIMITS.messagePageDefault - 9 + i}`),
    );
    const last = (
      await as({ method: 'GET', url: `${url}?limit=${LIMITS.messagePageMax}&offset=300` })
    ).json<Conversation>();
    expect(last.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(last.total).toBe(total);
    const past = (await as({ method: 'GET', url: `${url}?offset=1000` })).json<Conversation>();
    expect([past.messages.length, past.total]).toEqual([0, total]);

    expectValidationError(await as({ method: 'GET', url: `${url}?limit=${LIMITS.messagePageMax + 1}` }), [
      'query',
      'limit',
    ]);
    expectValidationError(await as({ method: 'GET', url: `${url}?offset=-1` }), ['query', 'offset']);
  });

  it('the conversation list is paged too, most recently active first, with the total', async () => {
    const owner = await signUp(ctx.app);
    await seedConversations(owner, 150);
    const list = (query = '') => asUser(ctx.app, owner)({ method: 'GET', url: `/conversations${query}` });

    const first = (await list()).json<ConversationList>();
    expect(first.total).toBe(150);
    expect(first.conversations.map((c) => c.title)).toEqual(
      Array.from({ length: LIMITS.conversationPageDefault }, (_, i) => `seeded ${i + 1}`),
    );
    const biggest = (await list(`?limit=${LIMITS.conversationPageMax}&offset=100`)).json<ConversationList>();
    expect([biggest.conversations.length, biggest.total]).toEqual([50, 150]);
    expect(biggest.conversations[0]?.title).toBe('seeded 101');
    expectValidationError(await list(`?limit=${LIMITS.conversationPageMax + 1}`), ['query', 'limit']);
    expectValidationError(await list('?page=2'));
  });

  it(`a user keeps at most ${LIMITS.conversationsPerUser} conversations: 409 {detail}, nothing stored; deleting one makes room`, async () => {
    const owner = await signUp(ctx.app);
    await seedConversations(owner, LIMITS.conversationsPerUser);
    const stored = () =>
      countRows(
        `select (select count(*) from conversations where user_id = $1) + (select count(*) from messages m
           join conversations c on c.id = m.conversation_id where c.user_id = $1) as n`,
        [owner.id],
      );
    const before = await stored();

    const refused = await chat('add buy milk', undefined, owner);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toEqual({
      detail: `Conversation limit reached: you can keep up to ${LIMITS.conversationsPerUser} conversations. Delete one to start another.`,
    });
    expect(await stored()).toBe(before);

    const asOwner = asUser(ctx.app, owner);
    const [oldest] = (
      await asOwner({ method: 'GET', url: `/conversations?limit=1&offset=${LIMITS.conversationsPerUser - 1}` })
    ).json<ConversationList>().conversations;
    expect((await asOwner({ method: 'DELETE', url: `/conversations/${oldest?.id}` })).statusCode).toBe(204);
    expect((await asOwner({ method: 'GET', url: `/conversations/${oldest?.id}` })).statusCode).toBe(404);
    expect((await asOwner({ method: 'DELETE', url: `/conversations/${oldest?.id}` })).statusCode).toBe(404);
    expect((await chat('add buy milk', undefined, owner)).statusCode).toBe(200);
  });

  it('another user can neither read nor delete a conversation', async () => {
    const started = (await chat('show my tasks')).json<ChatResponse>();
    const intruder = asUser(ctx.app, await signUp(ctx.app));
    expect((await intruder({ method: 'DELETE', url: `/conversations/${started.conversation_id}` })).statusCode).toBe(
      404,
    );
    expect((await as({ method: 'GET', url: `/conversations/${started.conversation_id}` })).statusCode).toBe(200);
  });

  it(`a conversation holds at most ${LIMITS.messagesPerConversation} messages: the turn that would pass it is refused before anything is stored`, async () => {
    const started = (await chat('show my tasks')).json<ChatResponse>();
    await seedMessages(started.conversation_id, LIMITS.messagesPerConversation - 4);
    const messagesIn = () =>
      countRows('select count(*) as n from messages where conversation_id = $1', [started.conversation_id]);
    expect(await messagesIn()).toBe(LIMITS.messagesPerConversation - 2);

    // One more turn (message and reply) fits exactly.
    expect((await chat('show my tasks', started.conversation_id)).statusCode).toBe(200);
    expect(await messagesIn()).toBe(LIMITS.messagesPerConversation);

    const refused = await chat('add buy bread', started.conversation_id);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toEqual({
      detail: `This conversation is full: it holds up to ${LIMITS.messagesPerConversation} messages. Start a new conversation to go on.`,
    });
    expect(await messagesIn()).toBe(LIMITS.messagesPerConversation);
    // Nothing ran either: no task was added.
    expect(
      await countRows("select count(*) as n from tasks where user_id = $1 and title = 'Buy bread'", [user.id]),
    ).toBe(0);
  });

  it('a tool result too large to store is kept as a bounded preview, in the answer and in the history', async () => {
    const owner = await signUp(ctx.app);
    await ctx.db.query(
      `insert into tasks (user_id, title, description)
       select $1, 'a long task title number ' || g || repeat('x', 150), repeat('d', 900) from generate_series(1, 100) g`,
      [owner.id],
    );
    const res = await chat('show my tasks', undefined, owner);
    expect(res.statusCode).toBe(200);
    const answer = res.json<ChatResponse>();
    const [call] = answer.tool_calls as [ToolCall];
    expect(call.tool).toBe('list_tasks');
    const result = call.result as { truncated: boolean; preview: string; length: number };
    expect(result.truncated).toBe(true);
    expect(result.length).toBeGreaterThan(LIMITS.storedToolJson);
    expect(JSON.stringify(call.result).length).toBeLessThanOrEqual(LIMITS.storedToolJson);
    expect(result.preview.startsWith('{"tasks":[')).toBe(true);

    const [stored] = await ctx.db.query<{ size: number }>(
      "select length(tool_calls::text) as size from messages where conversation_id = $1 and role = 'assistant'",
      [answer.conversation_id],
    );
    expect(Number(stored?.size)).toBeLessThanOrEqual(LIMITS.storedToolJson + 200);
    const read = (
      await asUser(ctx.app, owner)({ method: 'GET', url: `/conversations/${answer.conversation_id}` })
    ).json<Conversation>();
    expect(read.messages.at(-1)?.tool_calls).toEqual(answer.tool_calls);
  });
});
