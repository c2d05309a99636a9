/**
 * A fake backend behind `fetch` for component tests: routes are "METHOD /path" (query string excluded); each returns
 * a status and JSON body, or throws to simulate an unreachable server. Every call is recorded.
 */
export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

export type Reply = { status: number; body?: unknown } | (() => never);
export type Handler = (call: Call) => Reply | Promise<Reply>;

export const user = {
  id: 'user-1',
  email: 'ada@example.com',
  name: 'Ada',
  emailVerified: false,
  image: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

export const session = { session: { id: 's1', userId: user.id, expiresAt: '2027-01-01T00:00:00.000Z' }, user };

export function fakeApi(routes: Record<string, Handler | Reply>) {
  const calls: Call[] = [];
  const fetchMock = jest.fn(async (input: Request | string | URL, init?: RequestInit) => {
    const request = new Request(input instanceof Request ? input : new URL(String(input), 'http://localhost'), init);
    const url = new URL(request.url);
    const text = await request.text();
    const call: Call = {
      method: request.method,
      path: url.pathname,
      query: url.searchParams,
      body: text ? JSON.parse(text) : undefined,
    };
    calls.push(call);
    const route = routes[`${call.method} ${call.path}`];
    if (!route) throw new Error(`fake API: no route for ${call.method} ${call.path}`);
    const reply = typeof route === 'function' ? await (route as Handler)(call) : route;
    if (typeof reply === 'function') reply();
    const { status, body } = reply as { status: number; body?: unknown };
    return new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
    });
  });
  globalThis.fetch = fetchMock as unknown as typeof fetch;
  return { calls, fetch: fetchMock, routes };
}

/** fetch rejecting, as when the network or the frontend server is down. */
export const unreachable = (): never => {
  throw new TypeError('Failed to fetch');
};

export function task(id: number, title: string, completed = false) {
  return {
    id,
    user_id: user.id,
    title,
    description: null,
    completed,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
  };
}
