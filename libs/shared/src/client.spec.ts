import { ApiError, createApiClient } from './client.js';

interface Call {
  url: string;
  init: RequestInit;
}

/** A fetch that records calls and answers from a script. */
function fakeFetch(...responses: Response[]) {
  const calls: Call[] = [];
  const fetch = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    const next = responses.shift();
    if (!next) throw new Error('no scripted response left');
    return next;
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('createApiClient', () => {
  it('sends the bearer token, JSON body and query, and returns the parsed answer', async () => {
    const { fetch, calls } = fakeFetch(json(201, { id: 1, title: 'Buy milk' }), json(200, { tasks: [], total: 0 }));
    const api = createApiClient({ baseUrl: 'http://api.test/', token: () => 'tok', fetch });

    await expect(api.tasks.create('u 1', { title: 'Buy milk' })).resolves.toMatchObject({ id: 1 });
    await api.tasks.list('u1', { status: 'pending', sort: undefined });

    expect(calls[0]?.url).toBe('http://api.test/api/u%201/tasks');
    expect(calls[0]?.init.method).toBe('POST');
    expect(calls[0]?.init.body).toBe('{"title":"Buy milk"}');
    expect((calls[0]?.init.headers as Record<string, string>)['authorization']).toBe('Bearer tok');
    expect(calls[1]?.url).toBe('http://api.test/api/u1/tasks?status=pending');
  });

  it('resolves 204 answers to undefined', async () => {
    const { fetch } = fakeFetch(new Response(null, { status: 204 }));
    await expect(createApiClient({ fetch }).tasks.remove('u1', 3)).resolves.toBeUndefined();
  });

  it('throws ApiError with the detail message and field errors', async () => {
    const { fetch } = fakeFetch(
      json(404, { detail: 'Task not found' }),
      json(422, { detail: [{ loc: ['body', 'title'], msg: 'must NOT have more than 200 characters', type: 'maxLength' }] }),
    );
    const api = createApiClient({ fetch });

    const notFound = await api.tasks.get('u1', 9).catch((error: unknown) => error);
    expect(notFound).toBeInstanceOf(ApiError);
    expect(notFound).toMatchObject({ status: 404, message: 'Task not found' });

    const invalid = (await api.tasks.create('u1', { title: 'x' }).catch((error: unknown) => error)) as ApiError;
    expect(invalid.status).toBe(422);
    expect(invalid.fieldErrors).toEqual({ title: 'must NOT have more than 200 characters' });
    expect(invalid.message).toBe('title: must NOT have more than 200 characters');
  });

  it('keeps a non-JSON error body as the detail', async () => {
    const { fetch } = fakeFetch(new Response('upstream down', { status: 502 }));
    await expect(createApiClient({ fetch }).health()).rejects.toMatchObject({ status: 502, detail: 'upstream down' });
  });
});
