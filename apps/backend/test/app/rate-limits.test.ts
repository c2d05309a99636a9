import type { FastifyInstance, InjectOptions } from 'fastify';
import { buildTestApp, signUp, uniqueEmail, type TestUser } from '../helper.js';
import { clientKey } from '../../src/app/client-budget.js';
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

  it('every auth write but sign-out spends it: sign-in, password change and session endpoints', async () => {
    const client = '203.0.113.9';
    const writes: InjectOptions[] = [
      { method: 'POST', url: '/api/auth/sign-in/email', payload: { email: user.email, password: 'wrong-password' } },
      { method: 'POST', url: '/api/auth/sign-in/email', payload: { email: user.email, password: 'wrong-password' } },
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

  it('sign-out is never refused: a client over every budget still ends its session, bearer or cookie', async () => {
    const client = '203.0.113.9'; // used up by the previous test
    expect((await via(a, client, signUpAttempt)).statusCode).toBe(429);
    const signIn = await via(b, '203.0.113.10', {
      method: 'POST',
      url: '/api/auth/sign-in/email',
      payload: { email: user.email, password: user.password },
    });
    expect(signIn.statusCode).toBe(200);
    const cookie = String(signIn.headers['set-cookie']).split(';')[0] ?? '';
    const tasks = (app: FastifyInstance, headers: Record<string, string>) =>
      app.inject({ url: `/api/${user.id}/tasks`, headers });
    // Both sessions are looked up (and cached) first: a sign-out the cache missed would keep answering 200.
    expect((await tasks(a, user.headers)).statusCode).toBe(200);
    expect((await tasks(a, { cookie })).statusCode).toBe(200);
    for (let i = 0; i < BUDGET + 2; i++) {
      const out = await via(a, client, { method: 'POST', url: '/api/auth/sign-out', headers: { cookie } });
      expect(out.statusCode).toBe(200);
    }
    expect(
      (await via(a, client, { method: 'POST', url: '/api/auth/sign-out', headers: user.headers })).statusCode,
    ).toBe(200);
    expect((await tasks(a, user.headers)).statusCode).toBe(401);
    expect((await tasks(a, { cookie })).statusCode).toBe(401);
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

describe('whose budget a request spends', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['::ffff:cb00:7107', '203.0.113.7'],
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:db8:1:3::1', '2001:db8:1:3::/64'],
    ['::1', '::/64'],
    ['fe80::1%eth0', 'fe80::/64'],
    ['not-an-address', 'not-an-address'],
  ])('%s counts as %s', (address, key) => {
    expect(clientKey(address)).toBe(key);
  });
});

describe('IPv6 clients by /64, IPv4-mapped addresses as IPv4', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await buildTestApp(db, { TRUST_PROXY_HOPS: '1', AUTH_RATE_LIMIT: '2', SIGN_IN_RATE_LIMIT: '1000' });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await db?.dispose();
  });

  const attempt = (client: string) =>
    app.inject({
      method: 'POST',
      url: '/api/auth/sign-up/email',
      headers: { 'x-forwarded-for': client },
      payload: { email: uniqueEmail(), password: 'short', name: 'x' },
    });

  it('addresses of one /64 spend one budget; the next /64 has its own', async () => {
    expect((await attempt('2001:db8:1:2::1')).statusCode).toBe(422);
    expect((await attempt('2001:db8:1:2:dead:beef:0:7')).statusCode).toBe(422);
    expect((await attempt('2001:db8:1:2:ffff:ffff:ffff:ffff')).statusCode).toBe(429);
    expect((await attempt('2001:db8:1:3::1')).statusCode).toBe(422);
  });

  it('an IPv4 client is the same client written as IPv4-mapped IPv6', async () => {
    expect((await attempt('198.51.100.20')).statusCode).toBe(422);
    expect((await attempt('::ffff:198.51.100.20')).statusCode).toBe(422);
    expect((await attempt('198.51.100.20')).statusCode).toBe(429);
    // ... and a neighbour is a different client.
    expect((await attempt('198.51.100.21')).statusCode).toBe(422);
  });
});

describe('sign-in attempts per account, across addresses', () => {
  const ACCOUNT_BUDGET = 3;
  let db: TestDatabase;
  let app: FastifyInstance;
  let user: TestUser;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await buildTestApp(db, {
      TRUST_PROXY_HOPS: '1',
      SIGN_IN_RATE_LIMIT: '1000',
      SIGN_IN_ACCOUNT_RATE_LIMIT: String(ACCOUNT_BUDGET),
      SIGN_IN_ACCOUNT_RATE_WINDOW_SECONDS: '900',
    });
    user = await signUp(app);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await db?.dispose();
  });

  const signIn = (client: string, email: string, password: string) =>
    app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      headers: { 'x-forwarded-for': client },
      payload: { email, password },
    });

  it('guesses from many addresses share one budget per account; other accounts and clients are not affected', async () => {
    for (let i = 0; i < ACCOUNT_BUDGET; i++) {
      expect((await signIn(`192.0.2.${i + 1}`, user.email, 'wrong-password')).statusCode).toBe(401);
    }
    // A fresh address, the email in another case: still the same account.
    const limited = await signIn('192.0.2.200', user.email.toUpperCase(), 'wrong-password');
    expect(limited.statusCode).toBe(429);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect((await signIn('2001:db8:9::1', user.email, user.password)).statusCode).toBe(429);
    // Another account, from an address that just spent the first one's budget, is untouched.
    const other = await signUp(app);
    expect((await signIn('192.0.2.1', other.email, other.password)).statusCode).toBe(200);
  });

  it('the lock is bounded: once its window has passed the owner signs in again', async () => {
    const rows = await db.query<{ key: string }>("select key from rate_limits where key like 'sign-in-account|%'");
    expect(rows.map((row) => row.key)).toContain(`sign-in-account|${user.email.toLowerCase()}`);
    // The window ends (moved into the past rather than waited for).
    await db.query("update rate_limits set reset_at = now() - interval '1 second' where key like 'sign-in-account|%'");
    expect((await signIn('192.0.2.1', user.email, user.password)).statusCode).toBe(200);
  });
});
