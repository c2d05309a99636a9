import { jest } from '@jest/globals';
import { setupTestApp, signUp, type TestUser } from '../helper.js';

describe('error responses', () => {
  const ctx = setupTestApp({ BODY_LIMIT_BYTES: '2048' });
  let user: TestUser;

  beforeAll(async () => {
    user = await signUp(ctx.app);
  });

  it('404 {detail: "Not Found"} for an unknown route', async () => {
    const res = await ctx.app.inject({ url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ detail: 'Not Found' });
  });

  it('413 for a body over the limit', async () => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/api/${user.id}/tasks`,
      headers: user.headers,
      payload: { title: 'x', description: 'y'.repeat(4096) },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ detail: expect.stringMatching(/too large/i) });
  });

  it('415 for a body that is not JSON', async () => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/api/${user.id}/tasks`,
      headers: { ...user.headers, 'content-type': 'text/plain' },
      payload: 'title',
    });
    expect(res.statusCode).toBe(415);
  });

  it('422 json_invalid for malformed JSON, as FastAPI answers it', async () => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/api/${user.id}/tasks`,
      headers: { ...user.headers, 'content-type': 'application/json' },
      payload: '{"title":',
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({ detail: [{ loc: ['body'], msg: 'JSON decode error', type: 'json_invalid' }] });
  });

  it('503 with Retry-After when the database is unreachable, and a clean message', async () => {
    const list = jest
      .spyOn(ctx.app.tasksRepository, 'list')
      .mockRejectedValueOnce(Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:5432'), { code: 'ECONNREFUSED' }));
    const res = await ctx.app.inject({ url: `/api/${user.id}/tasks`, headers: user.headers });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toEqual({ detail: 'The database is unavailable; try again shortly.' });
    list.mockRestore();
  });

  it('500 hides internals for a bug', async () => {
    const list = jest.spyOn(ctx.app.tasksRepository, 'list').mockRejectedValueOnce(new TypeError('secret internals'));
    const res = await ctx.app.inject({ url: `/api/${user.id}/tasks`, headers: user.headers });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ detail: 'Internal server error' });
    list.mockRestore();
  });

  it('414 in the same shape for a path parameter the router rejects', async () => {
    const res = await ctx.app.inject({ url: `/api/${'a'.repeat(200)}/tasks`, headers: user.headers });
    expect(res.statusCode).toBe(414);
    expect(res.json()).toEqual({ detail: expect.any(String) });
  });
});
