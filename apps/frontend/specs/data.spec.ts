/**
 * @jest-environment node
 */
import { readConversation, readConversations, readTasks } from '@/app/lib/data';
import { DEFAULT_TASK_VIEW } from '@/app/lib/task-view';
import { fakeApi, session, task, unreachable } from './support/fake-api';
import { Redirect } from './support/navigation';
import { serverRequest } from './support/server-request';

jest.mock('next/headers', () => {
  const { serverRequest } = require('./support/server-request') as typeof import('./support/server-request');
  return {
    cookies: async () => ({ getAll: () => serverRequest.cookies }),
    headers: async () => serverRequest.headers,
  };
});

const BASE = '/api/user-1';
const at = '2026-01-02T10:00:00.000Z';
const signedIn = { 'GET /api/auth/get-session': { status: 200, body: session } };

beforeEach(() => serverRequest.signedIn());

describe('server reads', () => {
  it('read the page of tasks the URL names', async () => {
    const api = fakeApi({
      ...signedIn,
      [`GET ${BASE}/tasks`]: { status: 200, body: { tasks: [task(1, 'A')], total: 1 } },
    });
    const read = await readTasks({ status: 'completed', sort: 'title', offset: 50 }, 50);
    expect(read).toEqual({ ok: true, data: { tasks: [task(1, 'A')], total: 1 } });
    const query = api.calls.find((c) => c.path === `${BASE}/tasks`)?.query;
    expect(Object.fromEntries(query ?? [])).toEqual({ status: 'completed', sort: 'title', limit: '50', offset: '50' });
  });

  it('say what went wrong instead of failing the page when the backend is down', async () => {
    fakeApi({ ...signedIn, [`GET ${BASE}/tasks`]: unreachable });
    expect(await readTasks(DEFAULT_TASK_VIEW)).toEqual({
      ok: false,
      message: 'The server is unavailable right now. Try again in a moment.',
    });
  });

  it('send the user to sign in again, back to this page, when the backend refuses the session', async () => {
    serverRequest.headers.set('x-todo-request-path', '/tasks?status=pending');
    fakeApi({ ...signedIn, [`GET ${BASE}/tasks`]: { status: 401, body: { detail: 'Not authenticated' } } });
    await expect(readTasks(DEFAULT_TASK_VIEW)).rejects.toEqual(
      new Redirect('/sign-in?expired=1&next=%2Ftasks%3Fstatus%3Dpending'),
    );
  });

  it('read as many conversations as the URL asks for, in pages the API allows', async () => {
    const summaries = Array.from({ length: 130 }, (_, i) => ({
      id: 200 - i,
      title: `C${i}`,
      created_at: at,
      updated_at: at,
    }));
    const api = fakeApi({
      ...signedIn,
      [`GET ${BASE}/conversations`]: ({ query }) => {
        const offset = Number(query.get('offset'));
        const limit = Number(query.get('limit'));
        return { status: 200, body: { conversations: summaries.slice(offset, offset + limit), total: 130 } };
      },
    });
    const read = await readConversations(120);
    expect(read.ok && read.data.conversations.map((c) => c.id)).toEqual(summaries.slice(0, 120).map((c) => c.id));
    expect(read.ok && read.data.total).toBe(130);
    const pages = api.calls.filter((c) => c.path === `${BASE}/conversations`);
    expect(pages.map((c) => [c.query.get('limit'), c.query.get('offset')])).toEqual([
      ['100', '0'],
      ['20', '100'],
    ]);
  });

  it('read the newest messages of a conversation, oldest first, in pages counted back from the newest', async () => {
    const message = (id: number) => ({ id, role: 'user', content: `m${id}`, tool_calls: [], created_at: at });
    const api = fakeApi({
      ...signedIn,
      [`GET ${BASE}/conversations/3`]: ({ query }) => {
        const offset = Number(query.get('offset'));
        const limit = Number(query.get('limit'));
        const ids = Array.from({ length: 120 }, (_, i) => i + 1).slice(Math.max(0, 120 - offset - limit), 120 - offset);
        return {
          status: 200,
          body: { id: 3, title: 'Long', created_at: at, updated_at: at, messages: ids.map(message), total: 120 },
        };
      },
    });
    const read = await readConversation(3, 100);
    expect(read.ok && read.data.messages.map((m) => m.id)).toEqual(Array.from({ length: 100 }, (_, i) => i + 21));
    expect(read.ok && read.data.total).toBe(120);
    expect(api.calls.filter((c) => c.path.endsWith('/3')).map((c) => c.query.get('offset'))).toEqual(['0', '50']);

    // A short conversation is one read.
    api.calls.length = 0;
    await readConversation(3, 50);
    expect(api.calls.filter((c) => c.path.endsWith('/3'))).toHaveLength(1);
  });
});
