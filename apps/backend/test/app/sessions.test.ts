import { createRevocationFeed } from '../../src/auth/revocations.js';
import { createSessionCache } from '../../src/auth/session-cache.js';
import type { Database, NotificationHandlers } from '../../src/db/client.js';
import { createSessionLookup } from '../../src/auth/session-lookup.js';
import { setupTestApp, signUp, type TestUser } from '../helper.js';

/**
 * API routes resolve the caller with one session+user query (src/auth/session-lookup.ts) instead
 * of Better Auth's getSession. These pin down that it accepts and refuses exactly what Better Auth does.
 */
describe('session lookup on API routes', () => {
  const ctx = setupTestApp();
  const list = (user: TestUser, headers: Record<string, string>) =>
    ctx.app.inject({ url: `/api/${user.id}/tasks`, headers });

  async function signIn(user: TestUser) {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      payload: { email: user.email, password: user.password },
    });
    expect(res.statusCode).toBe(200);
    return {
      cookie: String(res.headers['set-cookie']).split(';')[0] ?? '',
      signedToken: String(res.headers['set-auth-token']),
    };
  }

  it('accepts the raw bearer token, the signed one (set-auth-token) and the session cookie', async () => {
    const user = await signUp(ctx.app);
    const { cookie, signedToken } = await signIn(user);
    expect(signedToken).toContain('.');
    expect((await list(user, user.headers)).statusCode).toBe(200);
    expect((await list(user, { authorization: `Bearer ${signedToken}` })).statusCode).toBe(200);
    expect((await list(user, { authorization: `Bearer ${encodeURIComponent(signedToken)}` })).statusCode).toBe(200);
    expect((await list(user, { cookie })).statusCode).toBe(200);
  });

  it('refuses a tampered signature, a forged cookie and an unknown token', async () => {
    const user = await signUp(ctx.app);
    const { cookie, signedToken } = await signIn(user);
    const [token] = signedToken.split('.');
    const forged = `${token}.${Buffer.alloc(32).toString('base64')}`;
    expect((await list(user, { authorization: `Bearer ${forged}` })).statusCode).toBe(401);
    expect((await list(user, { cookie: cookie.replace(/=.*/, `=${encodeURIComponent(forged)}`) })).statusCode).toBe(
      401,
    );
    expect((await list(user, { authorization: 'Bearer no-such-session' })).statusCode).toBe(401);
  });

  it('falls back to the cookie when the bearer token fails its signature check, as the bearer plugin does', async () => {
    const user = await signUp(ctx.app);
    const { cookie } = await signIn(user);
    expect((await list(user, { authorization: 'Bearer abc.not-a-signature', cookie })).statusCode).toBe(200);
  });

  // Each session is looked up (and cached by this instance) before it is signed out: a cache that missed the
  // sign-out would keep answering 200 here.
  it('sign-out takes effect on the next request, for the bearer token and the cookie', async () => {
    const user = await signUp(ctx.app);
    const { cookie } = await signIn(user);
    expect((await list(user, { cookie })).statusCode).toBe(200);
    const out = await ctx.app.inject({ method: 'POST', url: '/api/auth/sign-out', headers: { cookie } });
    expect(out.statusCode).toBe(200);
    expect((await list(user, { cookie })).statusCode).toBe(401);
    // The sign-up session is separate and still valid until it is signed out too.
    expect((await list(user, user.headers)).statusCode).toBe(200);
    await ctx.app.inject({ method: 'POST', url: '/api/auth/sign-out', headers: user.headers });
    expect((await list(user, user.headers)).statusCode).toBe(401);
  });

  it('an expired session is refused and removed, as Better Auth does', async () => {
    const user = await signUp(ctx.app);
    await ctx.db.query(`update sessions set expires_at = now() - interval '1 second' where token = $1`, [user.token]);
    expect((await list(user, user.headers)).statusCode).toBe(401);
    expect(await ctx.db.query('select 1 from sessions where token = $1', [user.token])).toHaveLength(0);
  });

  it("extends a session once Better Auth's update age has passed (sliding expiry)", async () => {
    const user = await signUp(ctx.app);
    // Six days left of seven: the one-day update age has passed, so this request refreshes it.
    await ctx.db.query(`update sessions set expires_at = now() + interval '6 days' where token = $1`, [user.token]);
    expect((await list(user, user.headers)).statusCode).toBe(200);
    const [session] = await ctx.db.query<{ days: number }>(
      `select extract(epoch from expires_at - now()) / 86400 as days from sessions where token = $1`,
      [user.token],
    );
    expect(Number(session?.days)).toBeGreaterThan(6.9);
  });

  it('a deleted user is refused at once, though their session row is gone with them', async () => {
    const user = await signUp(ctx.app);
    await ctx.db.query('delete from users where id = $1', [user.id]);
    expect((await list(user, user.headers)).statusCode).toBe(401);
  });

  it("a user's cached sessions go when Better Auth revokes them or changes the user", async () => {
    const user = await signUp(ctx.app);
    const { cookie } = await signIn(user);
    expect((await list(user, user.headers)).statusCode).toBe(200);
    expect((await list(user, { cookie })).statusCode).toBe(200);
    const revoked = await ctx.app.inject({
      method: 'POST',
      url: '/api/auth/revoke-other-sessions',
      headers: { cookie },
    });
    expect(revoked.statusCode).toBe(200);
    expect((await list(user, user.headers)).statusCode).toBe(401);

    const renamed = await ctx.app.inject({
      method: 'POST',
      url: '/api/auth/update-user',
      headers: { cookie },
      payload: { name: 'Renamed' },
    });
    expect(renamed.statusCode).toBe(200);
    const me = await ctx.app.inject({ url: '/api/auth/get-session', headers: { cookie } });
    expect(me.json<{ user: { name: string } }>().user.name).toBe('Renamed');
  });
});

/** The cache under a clock the test moves: TTL and expiry without waiting. */
describe('session cache', () => {
  const ctx = setupTestApp();
  const DAY = 24 * 60 * 60 * 1000;

  function lookupWithClock(ttlMs: number) {
    let time = Date.now();
    const clock = { now: () => time };
    const lookup = createSessionLookup(ctx.app.database.db, {
      secret: 'unused: these tests send raw tokens',
      cookieName: 'session_token',
      dontRememberCookieName: 'dont_remember',
      expiresIn: (7 * DAY) / 1000,
      updateAge: DAY / 1000,
      cache: createSessionCache({ ttlMs, max: 100, clock }),
      now: clock.now,
    });
    return { lookup, advance: (ms: number) => (time += ms), now: clock.now };
  }

  it('answers from the cache within the TTL and asks the database again after it', async () => {
    const user = await signUp(ctx.app);
    const { lookup, advance } = lookupWithClock(5_000);
    expect(await lookup(user.headers)).toEqual({ user: expect.objectContaining({ id: user.id }) });
    // Removed behind Better Auth's back (as another replica's sign-out would be): still cached here...
    await ctx.db.query('delete from sessions where token = $1', [user.token]);
    advance(4_000);
    expect(await lookup(user.headers)).toEqual({ user: expect.objectContaining({ id: user.id }) });
    // ...until the TTL has passed.
    advance(1_001);
    expect(await lookup(user.headers)).toEqual({ user: null });
  });

  it('a TTL of 0 turns the cache off', async () => {
    const user = await signUp(ctx.app);
    const { lookup } = lookupWithClock(0);
    expect(await lookup(user.headers)).toEqual({ user: expect.objectContaining({ id: user.id }) });
    await ctx.db.query('delete from sessions where token = $1', [user.token]);
    expect(await lookup(user.headers)).toEqual({ user: null });
  });

  it('a cached session expires on time', async () => {
    const user = await signUp(ctx.app);
    const [row] = await ctx.db.query<{ expires_at: Date | string }>(
      'select expires_at from sessions where token = $1',
      [user.token],
    );
    const expiresAt = new Date(String(row?.expires_at)).getTime();
    // A TTL longer than the session has left, and the row gone from the database: only the cached expiry can
    // refuse it. (`dont_remember` sessions are never refreshed, so what ends this one is its expiry alone.)
    const { lookup, advance, now } = lookupWithClock(8 * DAY);
    const headers = { ...user.headers, cookie: 'dont_remember=true' };
    expect(await lookup(headers)).toEqual({ user: expect.objectContaining({ id: user.id }) });
    await ctx.db.query('delete from sessions where token = $1', [user.token]);
    // From the test clock's now, not the wall clock's: a slow machine must not move the expiry between the lines.
    advance(expiresAt - now() - 1_000);
    expect(await lookup(headers)).toEqual({ user: expect.objectContaining({ id: user.id }) });
    advance(2_000);
    expect(await lookup(headers)).toBe('defer');
  });

  it('a cached session due for its sliding refresh goes to Better Auth', async () => {
    const user = await signUp(ctx.app);
    const { lookup, advance } = lookupWithClock(8 * DAY);
    expect(await lookup(user.headers)).toEqual({ user: expect.objectContaining({ id: user.id }) });
    advance(DAY + 1_000);
    expect(await lookup(user.headers)).toBe('defer');
  });
});

describe('session cache without revocation notices', () => {
  it('is off until the instance listens, and whenever the LISTEN connection is lost (fails closed)', async () => {
    const cache = createSessionCache({ ttlMs: 60_000, max: 10 });
    const session = { user: { id: 'u1', email: 'u1@example.test', name: 'U' }, expiresAt: Date.now() + 60_000 };
    let handlers: NotificationHandlers | undefined;
    let listening: () => void = () => undefined;
    const database = {
      listen: (_channel: string, given: NotificationHandlers) =>
        new Promise<{ close(): Promise<void> }>((resolve) => {
          handlers = given;
          listening = () => resolve({ close: async () => undefined });
        }),
    } as unknown as Database;
    const log = { warn: () => undefined, info: () => undefined };
    const feed = createRevocationFeed(database, cache, log);
    const started = feed.start();

    cache.set('token', session, cache.stamp());
    expect(cache.get('token')).toBeUndefined(); // not listening yet
    listening();
    await started;
    cache.set('token', session, cache.stamp());
    expect(cache.get('token')).toEqual(session);

    handlers?.message(JSON.stringify({ session: 'token' }));
    expect(cache.get('token')).toBeUndefined();
    cache.set('token', session, cache.stamp());
    handlers?.message(JSON.stringify({ user: 'u1' }));
    expect(cache.get('token')).toBeUndefined();

    cache.set('token', session, cache.stamp());
    handlers?.lost(new Error('connection reset'));
    expect(cache.get('token')).toBeUndefined();
    cache.set('token', session, cache.stamp());
    expect(cache.get('token')).toBeUndefined();
    await feed.stop();
  });
});
