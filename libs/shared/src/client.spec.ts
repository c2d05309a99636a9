import { ApiError, createApiClient } from './client.js';

interface Call {
  url: string;
  method: string;
  headers: Headers;
  body: string;
}

/** A fetch that records the requests it is given and answers from a script. */
function fakeFetch(...responses: Response[]) {
  const calls: Call[] = [];
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    calls.push({ url: request.url, method: request.method, headers: request.headers, body: await request.text() });
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
    expect(calls[0]?.method).toBe('POST');
    expect(calls[0]?.body).toBe('{"title":"Buy milk"}');
    expect(calls[0]?.headers.get('authorization')).toBe('Bearer tok');
    expect(calls[0]?.headers.get('content-type')).toBe('application/json');
    expect(calls[1]?.url).toBe('http://api.test/api/u1/tasks?status=pending');
  });

  it('resolves 204 answers to undefined', async () => {
    const { fetch } = fakeFetch(new Response(null, { status: 204 }));
    await expect(createApiClient({ baseUrl: 'http://api.test', fetch }).tasks.remove('u1', 3)).resolves.toBeUndefined();
  });

  it('throws ApiError with the detail message and field errors', async () => {
    const { fetch } = fakeFetch(
      json(404, { detail: 'Task not found' }),
      json(422, {
        detail: [{ loc: ['body', 'title'], msg: 'must NOT have more than 200 characters', type: 'maxLength' }],
      }),
    );
    const api = createApiClient({ baseUrl: 'http://api.test', fetch });

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
    await expect(createApiClient({ baseUrl: 'http://api.test', fetch }).health()).rejects.toMatchObject({
      status: 502,
      detail: 'upstream down',
    });
  });

  it('chat: sends a message, lists and reads conversations; a failed turn keeps its conversation id', async () => {
    const reply = { conversation_id: 4, response: 'Added task #1 "Buy milk".', tool_calls: [] };
    const { fetch, calls } = fakeFetch(
      json(200, reply),
      json(200, { conversations: [] }),
      json(200, { id: 4, title: 'add buy milk', created_at: '', updated_at: '', messages: [] }),
      json(504, { detail: 'The AI assistant did not answer in time.', conversation_id: 4 }),
    );
    const api = createApiClient({ baseUrl: 'http://api.test', token: 'tok', fetch });

    await expect(api.chat.send('u1', { message: 'add buy milk' })).resolves.toEqual(reply);
    await api.chat.conversations('u1');
    await expect(api.chat.conversation('u1', 4)).resolves.toMatchObject({ id: 4 });
    expect(calls.map((call) => [call.method, call.url])).toEqual([
      ['POST', 'http://api.test/api/u1/chat'],
      ['GET', 'http://api.test/api/u1/conversations'],
      ['GET', 'http://api.test/api/u1/conversations/4'],
    ]);
    expect(calls[0]?.body).toBe('{"message":"add buy milk"}');

    const failed = (await api.chat
      .send('u1', { message: 'hi', conversation_id: 4 })
      .catch((error: unknown) => error)) as ApiError;
    expect(failed).toBeInstanceOf(ApiError);
    expect(failed.status).toBe(504);
    expect(failed.body).toEqual({ detail: 'The AI assistant did not answer in time.', conversation_id: 4 });
  });
});
