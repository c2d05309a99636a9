import { jest } from '@jest/globals';
import { setupTestApp } from '../helper.js';

describe('probes', () => {
  const ctx = setupTestApp();

  it('GET /health answers without touching the database', async () => {
    const ping = jest.spyOn(ctx.app.database, 'ping');
    const res = await ctx.app.inject({ url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    expect(ping).not.toHaveBeenCalled();
    ping.mockRestore();
  });

  it('GET /ready answers 200 when the database answers', async () => {
    const res = await ctx.app.inject({ url: '/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', database: 'up' });
  });

  it('GET /ready answers 503 when the database does not', async () => {
    const ping = jest
      .spyOn(ctx.app.database, 'ping')
      .mockRejectedValueOnce(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }));
    const res = await ctx.app.inject({ url: '/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'unavailable', database: 'down' });
    ping.mockRestore();
  });

  it('probes need no session', async () => {
    for (const url of ['/health', '/ready']) {
      expect((await ctx.app.inject({ url })).statusCode).toBe(200);
    }
  });
});
