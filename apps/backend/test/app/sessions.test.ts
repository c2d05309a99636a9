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
});
