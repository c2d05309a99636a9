/**
 * @jest-environment node
 */
import { createTask, deleteConversation, deleteTask, sendChatMessage, toggleTask, updateTask } from '@/app/lib/actions';
import { IDLE } from '@/app/lib/action-state';
import { fakeApi, session, task, unreachable, type Call } from './support/fake-api';
import { serverRequest } from './support/server-request';

jest.mock('next/headers', () => {
  const { serverRequest } = require('./support/server-request') as typeof import('./support/server-request');
  return {
    cookies: async () => ({ getAll: () => serverRequest.cookies }),
    headers: async () => serverRequest.headers,
  };
});
jest.mock('next/cache', () => {
  const { serverRequest } = require('./support/server-request') as typeof import('./support/server-request');
  return { revalidatePath: (path: string) => serverRequest.revalidated.push(path) };
});

const TASKS = '/api/user-1/tasks';
const signedIn = { 'GET /api/auth/get-session': { status: 200, body: session } };

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.set(name, value);
  return data;
}

/** The method and headers of each call the backend received. */
let requests: { method: string; headers: Headers }[] = [];
function backend(routes: Parameters<typeof fakeApi>[0]) {
  const api = fakeApi({ ...signedIn, ...routes });
  requests = [];
  const fakeFetch = globalThis.fetch;
  globalThis.fetch = (async (input: Request | string | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(String(input), init);
    requests.push({ method: request.method, headers: new Headers(init?.headers ?? request.headers) });
    return fakeFetch(input, init);
  }) as typeof fetch;
  return api;
}

const writes = (calls: Call[]) => calls.filter((c) => c.method !== 'GET');

beforeEach(() => serverRequest.signedIn());

describe('task actions', () => {
  it('create a task as the user of the request, from their address, and revalidate the list', async () => {
    serverRequest.signedIn('198.51.100.1, 203.0.113.7');
    const api = backend({ [`POST ${TASKS}`]: { status: 201, body: task(9, 'Call mom') } });
    const state = await createTask(IDLE, form({ title: '  Call mom ', description: ' Sunday ' }));

    expect(state).toEqual({ status: 'done', message: 'Added “Call mom”.' });
    expect(writes(api.calls)).toEqual([
      expect.objectContaining({ path: TASKS, body: { title: 'Call mom', description: 'Sunday' } }),
    ]);
    const post = requests.find((r) => r.method === 'POST');
    expect(post?.headers.get('cookie')).toBe('better-auth.session_token=token.sig');
    // Only the peer's own address (the right-most entry, as the /api forwarder sends it): rate limits key on it.
    expect(post?.headers.get('x-forwarded-for')).toBe('203.0.113.7');
    expect(serverRequest.revalidated).toEqual(['/tasks']);
  });

  it('refuses an empty or too long title before calling the backend, keeping what was typed', async () => {
    const api = backend({});
    expect(await createTask(IDLE, form({ title: '   ', description: 'x' }))).toEqual({
      status: 'failed',
      message: null,
      fields: { title: 'Enter a title.' },
      values: { title: '   ', description: 'x' },
    });
    const long = await createTask(IDLE, form({ title: 'a'.repeat(201) }));
    expect(long).toMatchObject({ status: 'failed', fields: { title: 'At most 200 characters.' } });
    expect(api.calls).toEqual([]);
    expect(serverRequest.revalidated).toEqual([]);
  });

  it('shows the backend’s validation problems by field', async () => {
    backend({
      [`POST ${TASKS}`]: {
        status: 422,
        body: { detail: [{ loc: ['body', 'description'], msg: 'Too long.', type: 'too_long' }] },
      },
    });
    expect(await createTask(IDLE, form({ title: 'A', description: 'B' }))).toEqual({
      status: 'failed',
      message: null,
      fields: { description: 'Too long.' },
      values: { title: 'A', description: 'B' },
    });
  });

  it.each([
    ['is down', { status: 503, body: { detail: 'Service unavailable' } }, 'The server is unavailable right now.'],
    ['cannot be reached', unreachable, 'The server is unavailable right now.'],
    ['refuses too many', { status: 429, body: { detail: 'Slow down' } }, 'Too many attempts.'],
    ['answers 404', { status: 404, body: { detail: 'Task not found' } }, 'Task not found'],
  ])('says so in one sentence when the backend %s', async (_, reply, sentence) => {
    backend({ [`PATCH ${TASKS}/1/complete`]: reply });
    const result = await toggleTask(1);
    expect(result).toMatchObject({ status: 'failed', fields: {} });
    expect(result.status === 'failed' && result.message).toContain(sentence);
    expect(serverRequest.revalidated).toEqual([]);
  });

  it('answers "expired" without a session cookie (nothing is sent) and when the backend refuses the session', async () => {
    serverRequest.anonymous();
    const api = backend({});
    expect(await createTask(IDLE, form({ title: 'A' }))).toEqual({ status: 'expired' });
    expect(api.calls).toEqual([]);

    serverRequest.signedIn();
    backend({ [`DELETE ${TASKS}/2`]: { status: 401, body: { detail: 'Not authenticated' } } });
    expect(await deleteTask(2)).toEqual({ status: 'expired' });
  });

  it('toggles, edits and deletes, saying what changed', async () => {
    const api = backend({
      [`PATCH ${TASKS}/1/complete`]: { status: 200, body: task(1, 'Buy milk', true) },
      [`PUT ${TASKS}/1`]: { status: 200, body: task(1, 'Buy oat milk') },
      [`DELETE ${TASKS}/2`]: { status: 204 },
    });
    expect(await toggleTask(1)).toEqual({ status: 'done', message: 'Completed “Buy milk”.' });
    expect(await updateTask(IDLE, form({ id: '1', title: 'Buy oat milk', description: '' }))).toEqual({
      status: 'done',
      message: 'Saved “Buy oat milk”.',
    });
    expect(await deleteTask(2)).toMatchObject({ status: 'done' });
    expect(writes(api.calls).map((c) => [c.method, c.path, c.body])).toEqual([
      ['PATCH', `${TASKS}/1/complete`, undefined],
      ['PUT', `${TASKS}/1`, { title: 'Buy oat milk', description: null }],
      ['DELETE', `${TASKS}/2`, undefined],
    ]);
  });

  it.each([[0], [-1], [1.5], [2 ** 31], ['1/../../auth'], [null]])(
    'refuses the task id %p without calling the backend',
    async (id) => {
      const api = backend({});
      expect(await toggleTask(id as number)).toMatchObject({ status: 'failed' });
      expect(await deleteTask(id as number)).toMatchObject({ status: 'failed' });
      expect(await updateTask(IDLE, form({ id: String(id), title: 'A' }))).toMatchObject({ status: 'failed' });
      expect(api.calls).toEqual([]);
    },
  );
});

describe('chat actions', () => {
  it('send a message, answer the conversation it went to, and revalidate the chat and the tasks', async () => {
    const api = backend({
      'POST /api/user-1/chat': { status: 200, body: { conversation_id: 42, response: 'Added.', tool_calls: [] } },
    });
    expect(await sendChatMessage({ conversationId: null, message: ' Add milk ' })).toEqual({
      status: 'sent',
      conversationId: 42,
    });
    expect(await sendChatMessage({ conversationId: 42, message: 'More' })).toEqual({
      status: 'sent',
      conversationId: 42,
    });
    expect(writes(api.calls).map((c) => c.body)).toEqual([
      { message: 'Add milk' },
      { message: 'More', conversation_id: 42 },
    ]);
    expect(serverRequest.revalidated).toEqual(['/chat', '/tasks', '/chat', '/tasks']);
  });

  it('refuses an empty or oversized message, or a bad conversation id, without calling the backend', async () => {
    const api = backend({});
    for (const input of [
      { conversationId: null, message: '  ' },
      { conversationId: null, message: 'x'.repeat(5001) },
      { conversationId: -4, message: 'hi' },
      { conversationId: null, message: 42 as unknown as string },
    ]) {
      expect(await sendChatMessage(input)).toMatchObject({ status: 'failed' });
    }
    expect(api.calls).toEqual([]);
  });

  it('passes on what the backend says about a failed turn', async () => {
    backend({
      'POST /api/user-1/chat': { status: 503, body: { detail: 'The assistant is busy.', conversation_id: 5 } },
    });
    expect(await sendChatMessage({ conversationId: null, message: 'hi' })).toEqual({
      status: 'failed',
      message: 'The server is unavailable right now. Try again in a moment.',
      fields: {},
    });
  });

  it('deletes a conversation', async () => {
    const api = backend({ 'DELETE /api/user-1/conversations/3': { status: 204 } });
    expect(await deleteConversation(3)).toMatchObject({ status: 'done' });
    expect(writes(api.calls)).toHaveLength(1);
    expect(serverRequest.revalidated).toEqual(['/chat']);
  });
});
