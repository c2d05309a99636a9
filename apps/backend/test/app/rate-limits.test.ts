import type { FastifyInstance, InjectOptions } from 'fastify';
import { buildTestApp, signUp, uniqueEmail, type TestUser } from '../helper.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Auth budgets as deployed: two backend replicas on one database, behind one proxy hop (the frontend proxy or the
 * ingress) that appends the client's address to X-Forwarded-For. The budget belongs to that client, whichever
 * replica answers and whatever the client writes into X-Forwarded-For itself.
 */
describe('auth rate limits: per real client, shared by replicas', () => {
  const BUDGET = 4;
  let db: TestDatabase;
  let a: FastifyInstance;
  let b: FastifyInstance;
  let user: TestUser;

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = {
      TRUST_PROXY_HOPS: '1',
      AUTH_RATE_LIMIT: String(BUDGET),
      AUTH_RATE_WINDOW_SECONDS: '600',
      SIGN_IN_RATE_LIMIT: '1000',
    };
    [a, b] = await Promise.all([buildTestApp(db, env), buildTestApp(db, env)]);
    user = await signUp(a);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await db?.dispose();
  });

  /** A request as the proxy forwards it: whatever the client sent as X-Forwarded-For, then the client's address. */
  const via = (app: FastifyInstance, client: string, options: InjectOptions, spoofed?: string) =>
    app.inject({
      ...options,
      headers: { ...options.headers, 'x-forwarded-for': spoofed ? `${spoofed}, ${client}` : client },
    });

  const signUpAttempt: InjectOptions = {
    method: 'POST',
    url: '/api/auth/sign-up/email',
    payload: { email: uniqueEmail('spray'), password: 'short', name: 'x' }, // 422: still spends the budget
  };

  it('two replicas spend one budget; then 429 with Retry-After in the {detail} shape', async () => {
    const client = '203.0.113.7';
    const statuses: number[] = [];
    for (const app of [a, b, a, b]) statuses.push((await via(app, client, signUpAttempt)).statusCode);
    expect(statuses).toEqual(Array(BUDGET).fill(422));

    const limited = await via(b, client, signUpAttempt);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json()).toEqual({
      detail: expect.stringMatching(/^Too many requests: try again in \d+ seconds\.$/),
    });
    expect((await via(a, client, signUpAttempt)).statusCode).toBe(429);
  });

  it('the key is the address the trusted hop appended: a spoofed X-Forwarded-For entry changes nothing', async () => {
    const client = '203.0.113.7'; // used up by the previous test
    for (const spoofed of ['198.51.100.1', '198.51.100.2, 198.51.100.3', client]) {
      expect((await via(a, client, signUpAttempt, spoofed)).statusCode).toBe(429);
    }
    // A real other client behind the same proxy keeps its own budget.
    expect((await via(b, '203.0.113.8', signUpAttempt, client)).statusCode).toBe(422);
  });

  it('every auth write spends it: sign-in, sign-out, password change and session endpoints', async () => {
    const client = '203.0.113.9';
    const writes: InjectOptions[] = [
      { method: 'POST', url: '/api/auth/sign-in/email', payload: { email: user.email, password: 'wrong-password' } },
      { method: 'POST', url: '/api/auth/sign-out', headers: user.headers },
      {
        method: 'POST',
        url: '/api/auth/change-password',
        headers: user.headers,
        payload: { currentPassword: 'wrong-password', newPassword: 'another-password-1' },
      },
      { method: 'POST', url: '/api/auth/revoke-other-sessions', headers: user.headers, payload: {} },
    ];
    for (const [i, write] of writes.entries()) {
      expect((await via(i % 2 ? b : a, client, write)).statusCode).not.toBe(429);
    }
    for (const write of [...writes, signUpAttempt]) {
      const res = await via(a, client, write);
      expect({ url: write.url, status: res.statusCode }).toEqual({ url: write.url, status: 429 });
    }
    // Reads are not budgeted.
    expect((await via(a, client, { method: 'GET', url: '/api/auth/get-session' })).statusCode).toBe(200);
  });

  it('the counters live in the database, one row per client and budget', async () => {
    const rows = await db.query<{ key: string; hits: number }>(
      "select key, hits from rate_limits where key like 'auth-writes|%' order by key",
    );
    expect(rows).toEqual(
      expect.arrayContaining([
        { key: 'auth-writes|203.0.113.7', hits: BUDGET + 5 },
        { key: 'auth-writes|203.0.113.8', hits: 1 },
      ]),
    );
  });
});

describe('without a trusted hop', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await buildTestApp(db, { AUTH_RATE_LIMIT: '1' });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await db?.dispose();
  });

  it('X-Forwarded-For is ignored: a client cannot pick a fresh address per request', async () => {
    const attempt = (forwarded: string) =>
      app.inject({
        method: 'POST',
        url: '/api/auth/sign-up/email',
        headers: { 'x-forwarded-for': forwarded },
        payload: { email: uniqueEmail(), password: 'short', name: 'x' },
      });
    expect((await attempt('198.51.100.10')).statusCode).toBe(422);
    expect((await attempt('198.51.100.11')).statusCode).toBe(429);
  });
});
