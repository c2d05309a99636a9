import type { AuthResponse } from '@todo-stack/shared';
import { expectValidationError, setupTestApp, signUp, uniqueEmail } from '../../../helper.js';

const signUpUrl = '/api/auth/sign-up/email';
const signInUrl = '/api/auth/sign-in/email';

describe('auth', () => {
  const ctx = setupTestApp({ SIGN_IN_RATE_LIMIT: '3', SIGN_IN_RATE_WINDOW_SECONDS: '60' });

  describe('POST /api/auth/sign-up/email', () => {
    it('creates the account, answers {token, user} and sets the session cookie', async () => {
      const email = uniqueEmail('new');
      const res = await ctx.app.inject({
        method: 'POST',
        url: signUpUrl,
        payload: { email, password: 'correct-horse-battery', name: 'Ada' },
      });
      expect(res.statusCode).toBe(200);
      const body = res.json<AuthResponse>();
      expect(body.token).toEqual(expect.any(String));
      expect(body.user).toMatchObject({ id: expect.any(String), email, name: 'Ada' });
      expect(String(res.headers['set-cookie'])).toMatch(/session_token=.*HttpOnly/);
    });

    it('stores a hash, never the password', async () => {
      const user = await signUp(ctx.app);
      const [account] = await ctx.db.query<{ password: string }>('select password from accounts where user_id = $1', [
        user.id,
      ]);
      expect(account?.password).toBeDefined();
      expect(account?.password).not.toContain(user.password);
      expect(account?.password).toMatch(/^[0-9a-f]+:[0-9a-f]+$/);
    });

    it('answers 409 for an email already registered, whatever its case', async () => {
      const user = await signUp(ctx.app);
      const res = await ctx.app.inject({
        method: 'POST',
        url: signUpUrl,
        payload: { email: user.email.toUpperCase(), password: 'another-password', name: 'Copy' },
      });
      expect(res.statusCode).toBe(409);
      expect(res.json()).toEqual({ detail: expect.stringMatching(/already exists/i) });
    });

    it.each([
      ['a malformed email', { email: 'not-an-email', password: 'correct-horse-battery', name: 'A' }, ['body', 'email']],
      ['a short password', { email: uniqueEmail(), password: 'short', name: 'A' }, ['body', 'password']],
      ['no name', { email: uniqueEmail(), password: 'correct-horse-battery' }, ['body', 'name']],
      ['a blank name', { email: uniqueEmail(), password: 'correct-horse-battery', name: '  ' }, ['body', 'name']],
      [
        'an unknown field',
        { email: uniqueEmail(), password: 'correct-horse-battery', name: 'A', role: 'admin' },
        ['body', 'role'],
      ],
    ])('answers 422 for %s', async (_case, payload, loc) => {
      const res = await ctx.app.inject({ method: 'POST', url: signUpUrl, payload });
      expectValidationError(res, loc);
    });
  });

  describe('POST /api/auth/sign-in/email', () => {
    it('answers a new token for the right password', async () => {
      const user = await signUp(ctx.app);
      const res = await ctx.app.inject({
        method: 'POST',
        url: signInUrl,
        payload: { email: user.email, password: user.password },
      });
      expect(res.statusCode).toBe(200);
      const body = res.json<AuthResponse>();
      expect(body.user.id).toBe(user.id);
      expect(body.token).not.toBe(user.token);
    });

    it('answers 401 for a wrong password or an unknown email, with the same message', async () => {
      const user = await signUp(ctx.app);
      const wrong = await ctx.app.inject({
        method: 'POST',
        url: signInUrl,
        payload: { email: user.email, password: 'not-the-password' },
      });
      const unknown = await ctx.app.inject({
        method: 'POST',
        url: signInUrl,
        payload: { email: uniqueEmail(), password: 'whatever-it-is' },
      });
      expect(wrong.statusCode).toBe(401);
      expect(unknown.statusCode).toBe(401);
      expect(wrong.json()).toEqual(unknown.json());
    });

    it('answers 429 with Retry-After once the limit of attempts is used up, even with the right password', async () => {
      const user = await signUp(ctx.app);
      const attempt = (password: string) =>
        ctx.app.inject({ method: 'POST', url: signInUrl, payload: { email: user.email, password } });
      for (let i = 0; i < 3; i++) expect((await attempt('bad-guess-' + i)).statusCode).toBe(401);

      const blocked = await attempt(user.password);
      expect(blocked.statusCode).toBe(429);
      expect(blocked.headers['retry-after']).toBeDefined();
      expect(blocked.json()).toEqual({ detail: expect.stringMatching(/too many requests/i) });

      // Another account from the same client is not locked out by it.
      const other = await signUp(ctx.app);
      const res = await ctx.app.inject({
        method: 'POST',
        url: signInUrl,
        payload: { email: other.email, password: other.password },
      });
      expect(res.statusCode).toBe(200);
    });

    it('answers 422 for a malformed body', async () => {
      expectValidationError(await ctx.app.inject({ method: 'POST', url: signInUrl, payload: { email: 'x@y.z' } }), [
        'body',
        'password',
      ]);
    });
  });

  describe('sessions', () => {
    it('GET /api/auth/get-session knows the user by bearer token and by cookie', async () => {
      const user = await signUp(ctx.app);
      const byBearer = await ctx.app.inject({ url: '/api/auth/get-session', headers: user.headers });
      expect(byBearer.json()).toMatchObject({ user: { id: user.id } });

      const signIn = await ctx.app.inject({
        method: 'POST',
        url: signInUrl,
        payload: { email: user.email, password: user.password },
      });
      const cookie = String(signIn.headers['set-cookie']).split(';')[0] ?? '';
      const byCookie = await ctx.app.inject({ url: '/api/auth/get-session', headers: { cookie } });
      expect(byCookie.json()).toMatchObject({ user: { id: user.id } });
    });

    it('POST /api/auth/sign-out ends the session: the token stops working', async () => {
      const user = await signUp(ctx.app);
      const out = await ctx.app.inject({ method: 'POST', url: '/api/auth/sign-out', headers: user.headers });
      expect(out.statusCode).toBe(200);
      const after = await ctx.app.inject({ url: `/api/${user.id}/tasks`, headers: user.headers });
      expect(after.statusCode).toBe(401);
    });

    it('an expired session is refused', async () => {
      const user = await signUp(ctx.app);
      await ctx.db.query(`update sessions set expires_at = now() - interval '1 minute' where user_id = $1`, [user.id]);
      const res = await ctx.app.inject({ url: `/api/${user.id}/tasks`, headers: user.headers });
      expect(res.statusCode).toBe(401);
    });
  });
});
