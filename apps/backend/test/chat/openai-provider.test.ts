import type { ChatFailure, ChatResponse, Conversation, Task, TaskList } from '@todo-stack/shared';
import { createConversationsRepository } from '../../src/chat/conversations-repository.js';
import { asUser, buildTestApp, setupTestApp, signUp, type TestUser } from '../helper.js';
import { callTools, FakeOpenAI, say, type RecordedRequest } from '../support/fake-openai.js';

const fake = new FakeOpenAI();
const env: Record<string, string> = { OPENAI_API_KEY: 'sk-test-key', OPENAI_TIMEOUT_MS: '4000', OPENAI_MAX_STEPS: '4' };

/** The tasks list_tasks returned to the model, read back from the tool message the client sent. */
function listedTasks(request: RecordedRequest): { id: number; title: string }[] {
  const tool = request.body.messages.filter((m) => m.role === 'tool').at(-1);
  return (JSON.parse(tool?.content ?? '{}') as { tasks: { id: number; title: string }[] }).tasks;
}

describe('OpenAI provider against a local OpenAI-compatible server', () => {
  beforeAll(async () => {
    env['OPENAI_BASE_URL'] = await fake.start();
  });
  afterAll(() => fake.stop());
  afterEach(() => fake.expectNoUnscriptedCalls());

  const ctx = setupTestApp(env);
  let alice: TestUser;
  let as: ReturnType<typeof asUser>;
  beforeAll(async () => {
    alice = await signUp(ctx.app, { name: 'Alice' });
    as = asUser(ctx.app, alice);
  });

  const createTask = async (title: string) =>
    (await as({ method: 'POST', url: '/tasks', payload: { title } })).json<Task>();
  const chat = (message: string, conversation_id?: number) =>
    as({ method: 'POST', url: '/chat', payload: { message, ...(conversation_id ? { conversation_id } : {}) } });
  const conversation = async (id: number) =>
    (await as({ method: 'GET', url: `/conversations/${id}` })).json<Conversation>();

  it('runs a multi-step tool loop (list, then delete by the id it found) and stores the turn', async () => {
    const milk = await createTask('Buy milk');
    const dentist = await createTask('Call the dentist');
    fake.play(
      callTools(['list_tasks', {}]),
      (request) => {
        const target = listedTasks(request).find((task) => /dentist/i.test(task.title));
        return target ? callTools(['delete_task', { task_id: target.id }]) : say('not found');
      },
      (request) => {
        const result = JSON.parse(request.body.messages.at(-1)?.content ?? '{}') as { task_id: number; title: string };
        return say(`Deleted task #${result.task_id}: ${result.title}.`);
      },
    );

    const res = await chat('delete the dentist one');
    expect(res.statusCode).toBe(200);
    const body = res.json<ChatResponse>();
    expect(body.response).toBe(`Deleted task #${dentist.id}: Call the dentist.`);
    expect(body.tool_calls).toEqual([
      {
        tool: 'list_tasks',
        arguments: {},
        result: { tasks: expect.arrayContaining([expect.objectContaining({ id: dentist.id })]), total: 2 },
      },
      {
        tool: 'delete_task',
        arguments: { task_id: dentist.id },
        result: { task_id: dentist.id, status: 'deleted', title: 'Call the dentist' },
      },
    ]);
    // The tools really ran.
    expect((await as({ method: 'GET', url: '/tasks' })).json<TaskList>().tasks.map((t) => t.id)).toEqual([milk.id]);

    // What the client sent: key, model, system prompt, the user's message, the five MCP tools.
    expect(fake.requests).toHaveLength(3);
    const [first, second] = fake.requests as [RecordedRequest, RecordedRequest];
    expect(first.headers.authorization).toBe('Bearer sk-test-key');
    expect(first.body.model).toBe('gpt-4o-mini');
    expect(first.body.messages[0]).toMatchObject({ role: 'system', content: expect.stringContaining('ask which one') });
    expect(first.body.messages.at(-1)).toEqual({ role: 'user', content: 'delete the dentist one' });
    expect(first.body.tools?.map((t) => t.function.name).sort()).toEqual([
      'add_task',
      'complete_task',
      'delete_task',
      'list_tasks',
      'update_task',
    ]);
    expect(first.body.tools?.find((t) => t.function.name === 'delete_task')?.function.parameters).toMatchObject({
      required: ['task_id'],
    });
    expect(second.body.messages.slice(-2)).toMatchObject([
      { role: 'assistant', tool_calls: [{ type: 'function', function: { name: 'list_tasks' } }] },
      { role: 'tool', tool_call_id: 'call_0_list_tasks' },
    ]);

    const stored = await conversation(body.conversation_id);
    expect(stored.messages.map((m) => [m.role, m.content, m.tool_calls])).toEqual([
      ['user', 'delete the dentist one', []],
      ['assistant', body.response, body.tool_calls],
    ]);
  });

  it('sends the stored history on the next turn (stateless server)', async () => {
    fake.play(say('Hello Alice!'));
    const first = (await chat('hi, I am Alice')).json<ChatResponse>();
    fake.play(say('You said you are Alice.'));
    const second = await chat('who am I?', first.conversation_id);
    expect(second.statusCode).toBe(200);
    expect(fake.requests[0]?.body.messages.slice(1)).toEqual([
      { role: 'user', content: 'hi, I am Alice' },
      { role: 'assistant', content: 'Hello Alice!' },
      { role: 'user', content: 'who am I?' },
    ]);
  });

  it('passes tool errors back to the model instead of inventing success', async () => {
    fake.play(callTools(['complete_task', { task_id: 987654 }]), (request) =>
      say(`Sorry: ${JSON.parse(request.body.messages.at(-1)?.content ?? '{}').error}`),
    );
    const body = (await chat('complete task 987654')).json<ChatResponse>();
    expect(body.tool_calls).toEqual([
      { tool: 'complete_task', arguments: { task_id: 987654 }, result: { error: 'Task 987654 not found' } },
    ]);
    expect(body.response).toBe('Sorry: Task 987654 not found');
  });

  it('stops a runaway tool loop after OPENAI_MAX_STEPS model calls', async () => {
    fake.play(...Array.from({ length: 10 }, () => callTools(['list_tasks', { status: 'pending' }])));
    const res = await chat('loop forever');
    expect(res.statusCode).toBe(200);
    expect(fake.requests).toHaveLength(4);
    expect(res.json<ChatResponse>().response).toMatch(/stopped after 4 steps/);
  });

  // The cap and the history bound are asserted as numbers (20, 40), not through their constants: a change of
  // either is a change of what one request may cost, and must change these tests too.
  it('runs exactly 20 tool calls in one turn when the model asks for 25; the other 5 are refused', async () => {
    fake.play(
      callTools(
        ...Array.from(
          { length: 25 },
          (_, i) => ['add_task', { title: `flood ${i}` }] as [string, Record<string, unknown>],
        ),
      ),
      (request) => {
        const refused = request.body.messages.filter(
          (m) => m.role === 'tool' && /Too many tool calls/.test(m.content ?? ''),
        );
        return say(`${refused.length} refused`);
      },
    );
    const res = await chat('add a flood of tasks');
    expect(res.statusCode).toBe(200);
    expect(res.json<ChatResponse>()).toMatchObject({ response: '5 refused' });
    expect(res.json<ChatResponse>().tool_calls).toHaveLength(20);
    const list = (await as({ method: 'GET', url: '/tasks?limit=100' })).json<TaskList>();
    expect(list.tasks.filter((task) => task.title.startsWith('flood '))).toHaveLength(20);
  });

  it('sends the model exactly the last 40 stored messages of a longer conversation, then the new one', async () => {
    const conversations = createConversationsRepository(ctx.app.database.db);
    const { conversationId } = await conversations.start(alice.id, 'stored 0');
    for (let i = 1; i < 55; i++)
      await conversations.append(conversationId, i % 2 ? 'assistant' : 'user', `stored ${i}`);
    fake.play(say('I remember.'));
    const res = await chat('what did we say?', conversationId);
    expect([res.statusCode, res.body]).toEqual([200, expect.any(String)]);
    const [system, ...rest] = fake.requests[0]?.body.messages ?? [];
    expect(system?.role).toBe('system');
    expect(rest).toHaveLength(41);
    expect(rest.slice(0, 40).map((m) => m.content)).toEqual(Array.from({ length: 40 }, (_, i) => `stored ${15 + i}`));
    expect(rest[40]).toEqual({ role: 'user', content: 'what did we say?' });
  });

  describe('provider failures: a clear status and message, the user message kept, no reply stored', () => {
    const expectKept = async (failure: ChatFailure, message: string) => {
      expect(failure.conversation_id).toEqual(expect.any(Number));
      const stored = await conversation(failure.conversation_id as number);
      expect(stored.messages.map((m) => [m.role, m.content])).toEqual([['user', message]]);
    };

    it('upstream 500 → 502', async () => {
      fake.play({ status: 500, error: 'internal boom' });
      const res = await chat('list my tasks (500)');
      expect(res.statusCode).toBe(502);
      const body = res.json<ChatFailure>();
      expect(body.detail).toMatch(/^The AI assistant is unavailable \(HTTP 500\)\. Your message was saved/);
      expect(body.detail).not.toContain('boom');
      await expectKept(body, 'list my tasks (500)');
    });

    it('rate limited 429 → 503 with Retry-After', async () => {
      fake.play({ status: 429, error: 'slow down', headers: { 'retry-after': '7' } });
      const res = await chat('list my tasks (429)');
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('7');
      const body = res.json<ChatFailure>();
      expect(body.detail).toMatch(/busy \(rate limited by the provider\)/);
      await expectKept(body, 'list my tasks (429)');
    });

    it('no answer within OPENAI_TIMEOUT_MS → 504', async () => {
      fake.play({ hang: true });
      const started = Date.now();
      const res = await chat('list my tasks (timeout)');
      expect(res.statusCode).toBe(504);
      expect(Date.now() - started).toBeLessThan(10_000);
      const body = res.json<ChatFailure>();
      expect(body.detail).toMatch(/did not answer within 4 seconds/);
      await expectKept(body, 'list my tasks (timeout)');
    });

    it('a failure after a tool ran says what was already done', async () => {
      const task = await createTask('Water plants');
      fake.play(callTools(['complete_task', { task_id: task.id }]), { status: 503, error: 'overloaded' });
      const res = await chat('complete the plants');
      expect(res.statusCode).toBe(502);
      const body = res.json<ChatFailure>();
      expect(body.detail).toContain(
        `Before the failure these changes were made: completed #${task.id} "Water plants".`,
      );
      await expectKept(body, 'complete the plants');
    });

    it('a failed turn can be retried in the same conversation', async () => {
      fake.play({ status: 500, error: 'boom' });
      const failed = (await chat('add call mom')).json<ChatFailure>();
      fake.play(callTools(['add_task', { title: 'Call mom' }]), say('Added task: Call mom.'));
      const retried = await chat('add call mom', failed.conversation_id);
      expect(retried.statusCode).toBe(200);
      const stored = await conversation(failed.conversation_id as number);
      expect(stored.messages.map((m) => m.role)).toEqual(['user', 'user', 'assistant']);
    });
  });

  it('an unreachable provider → 502', async () => {
    const app = await buildTestApp(ctx.db, { ...env, OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' });
    try {
      const res = await app.inject({
        method: 'POST',
        url: `/api/${alice.id}/chat`,
        headers: alice.headers,
        payload: { message: 'anyone there?' },
      });
      expect(res.statusCode).toBe(502);
      expect(res.json<ChatFailure>().detail).toMatch(/unavailable/);
    } finally {
      await app.close();
    }
  });
});
