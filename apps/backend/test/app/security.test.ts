import { HELMET_OPTIONS, securityHeaders } from '../../src/app/plugins/external/helmet.js';
import { setupTestApp } from '../helper.js';

describe('security headers and CORS', () => {
  const ctx = setupTestApp({ FRONTEND_ORIGIN: 'http://todo.local,http://localhost:3000' });

  it('sets security headers on every response', async () => {
    const res = await ctx.app.inject({ url: '/health' });
    expect(res.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': expect.stringContaining('max-age='),
      'content-security-policy': expect.stringContaining("frame-ancestors 'none'"),
    });
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('sets every header helmet computes, on early answers too (401, 404, a refused path)', async () => {
    const expected = Object.fromEntries(
      securityHeaders(HELMET_OPTIONS).map(([name, value]) => [name.toLowerCase(), value]),
    );
    expect(Object.keys(expected)).toHaveLength(12);
    for (const url of ['/api/someone/tasks', '/no-such-route', '/api/a/../tasks']) {
      const res = await ctx.app.inject({ url });
      expect([401, 404, 400]).toContain(res.statusCode);
      expect(res.headers).toMatchObject(expected);
    }
  });

  it('allows the frontend origins, with credentials', async () => {
    for (const origin of ['http://todo.local', 'http://localhost:3000']) {
      const res = await ctx.app.inject({
        method: 'OPTIONS',
        url: '/api/auth/sign-in/email',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      expect(res.statusCode).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(origin);
      expect(res.headers['access-control-allow-credentials']).toBe('true');
    }
  });

  it('does not allow any other origin', async () => {
    const res = await ctx.app.inject({ url: '/health', headers: { origin: 'http://evil.example' } });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('echoes a sane X-Request-Id and replaces an insane one', async () => {
    const kept = await ctx.app.inject({ url: '/health', headers: { 'x-request-id': 'trace-123' } });
    expect(kept.headers['x-request-id']).toBe('trace-123');
    const replaced = await ctx.app.inject({ url: '/health', headers: { 'x-request-id': 'bad id\u0007'.repeat(20) } });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
