/**
 * @jest-environment node
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NextRequest } from 'next/server';
import { readSession } from '@/app/lib/data';
import { REQUEST_PATH_HEADER } from '@/app/lib/gate';
import { config, contentSecurityPolicy, HSTS, proxy } from '@/proxy';
import { session } from './support/fake-api';

let requestCookies: { name: string; value: string }[] = [];
jest.mock('next/headers', () => ({
  cookies: async () => ({ getAll: () => requestCookies }),
  headers: async () => new Headers({ 'x-forwarded-for': '203.0.113.7' }),
}));

describe('src/proxy.ts: the optimistic gate of the signed-in pages', () => {
  it('covers every page, never /api (whose bodies it would otherwise buffer) nor static files', () => {
    const matcher = new RegExp(`^${config.matcher[0]?.source}$`);
    for (const page of ['/', '/tasks', '/tasks/1', '/chat', '/sign-in', '/apiary']) expect(page).toMatch(matcher);
    for (const other of ['/api', '/api/health', '/api/u/tasks', '/_next/static/chunks/a.js', '/favicon.ico']) {
      expect(other).not.toMatch(matcher);
    }
  });

  it('leaves pages other than the signed-in ones open, without the gate’s path header', () => {
    const response = proxy(
      new NextRequest('http://localhost:3000/sign-in', { headers: { [REQUEST_PATH_HEADER]: '//evil.example' } }),
    );
    expect(response.headers.get('location')).toBeNull();
    expect(response.headers.get('x-middleware-next')).toBe('1');
    expect(response.headers.get('x-middleware-override-headers')).toContain('content-security-policy');
    expect(response.headers.get('x-middleware-override-headers')).not.toContain(REQUEST_PATH_HEADER);
  });

  it('leaves router prefetches alone (a redirect prefetched while signed out would be replayed after sign-in)', () => {
    for (const { missing } of config.matcher) {
      expect(missing).toContainEqual({ type: 'header', key: 'next-router-prefetch' });
    }
  });

  it('sends a visitor without a session cookie to sign in, to come back to the same page', () => {
    const response = proxy(new NextRequest('http://localhost:3000/tasks?x=1', { headers: { cookie: 'theme=dark' } }));
    expect(response.status).toBe(307);
    expect(response.headers.get('location')).toBe('http://localhost:3000/sign-in?next=%2Ftasks%3Fx%3D1');
  });

  it('lets a Server Action through without a session cookie: it answers "expired" itself, a redirect would break it', () => {
    const action = proxy(
      new NextRequest('http://localhost:3000/tasks', { method: 'POST', headers: { 'next-action': 'abc123' } }),
    );
    expect(action.headers.get('location')).toBeNull();
    expect(action.headers.get('x-middleware-next')).toBe('1');
    // Only a POST carrying the action header: a page load that names it is still gated.
    const get = proxy(new NextRequest('http://localhost:3000/tasks', { headers: { 'next-action': 'abc123' } }));
    expect(get.status).toBe(307);
  });

  it('lets a request with a session cookie through, telling the layout the path (not what the client claimed)', () => {
    const response = proxy(
      new NextRequest('http://localhost:3000/chat', {
        headers: { cookie: '__Secure-better-auth.session_token=abc', [REQUEST_PATH_HEADER]: '//evil.example' },
      }),
    );
    expect(response.headers.get('location')).toBeNull();
    expect(response.headers.get('x-middleware-next')).toBe('1');
    expect(response.headers.get(`x-middleware-request-${REQUEST_PATH_HEADER}`)).toBe('/chat');
  });
});

describe('src/proxy.ts: page headers', () => {
  const page = (url: string, headers: Record<string, string> = {}) =>
    proxy(new NextRequest(url, { headers: { cookie: 'better-auth.session_token=abc', ...headers } }));
  const nonceOf = (csp: string | null) => /'nonce-([^']+)'/.exec(csp ?? '')?.[1];

  it('sends a Content-Security-Policy with a fresh nonce, and gives Next the same one on the request', () => {
    const first = page('http://localhost:3000/tasks');
    const csp = first.headers.get('content-security-policy');
    expect(csp).toContain(`frame-ancestors 'none'`);
    expect(csp).toContain(`object-src 'none'`);
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{20,}' 'strict-dynamic'(;|$)/);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(first.headers.get('x-middleware-request-content-security-policy')).toBe(csp);
    expect(nonceOf(page('http://localhost:3000/tasks').headers.get('content-security-policy'))).not.toBe(nonceOf(csp));
  });

  it('sends HSTS (and upgrades http subresources) only in production over https', () => {
    const env = process.env as Record<string, string | undefined>;
    const previous = env['NODE_ENV'];
    try {
      env['NODE_ENV'] = 'production';
      const https = page('http://frontend:3000/', { 'x-forwarded-proto': 'https' });
      expect(https.headers.get('strict-transport-security')).toBe(HSTS);
      expect(https.headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
      const http = page('http://localhost:3000/');
      expect(http.headers.get('strict-transport-security')).toBeNull();
      expect(http.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
      env['NODE_ENV'] = 'test';
      expect(page('https://localhost/').headers.get('strict-transport-security')).toBeNull();
    } finally {
      env['NODE_ENV'] = previous;
    }
  });

  it('relaxes only what React needs in development', () => {
    const dev = contentSecurityPolicy('n', { dev: true });
    expect(dev).toContain(`'unsafe-eval'`);
    expect(dev).toContain(`frame-ancestors 'none'`);
  });
});

describe('readSession: the signed-in layout’s check, with the request’s cookie', () => {
  let backend: Server;
  let answer: { status: number; body: unknown };
  const seenCookies: (string | undefined)[] = [];
  beforeAll(async () => {
    backend = createServer((req, res) => {
      seenCookies.push(req.headers.cookie);
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    process.env['BACKEND_URL'] = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    delete process.env['BACKEND_URL'];
    await new Promise((resolve) => backend.close(resolve));
  });
  beforeEach(() => {
    seenCookies.length = 0;
  });

  it('knows a visitor without a session cookie is anonymous without asking the backend', async () => {
    requestCookies = [{ name: 'theme', value: 'dark' }];
    expect(await readSession()).toEqual({ status: 'anonymous' });
    expect(seenCookies).toEqual([]);
  });

  it('asks the backend with the request’s cookies and returns the user', async () => {
    requestCookies = [{ name: 'better-auth.session_token', value: 'abc' }];
    answer = { status: 200, body: session };
    expect(await readSession()).toEqual({ status: 'authenticated', user: session.user });
    expect(seenCookies).toEqual(['better-auth.session_token=abc']);
  });

  it('calls a session cookie the backend no longer accepts expired', async () => {
    requestCookies = [{ name: 'better-auth.session_token', value: 'old' }];
    answer = { status: 200, body: null };
    expect(await readSession()).toEqual({ status: 'anonymous', reason: 'expired' });
  });

  it('says so, readably, when the backend is down', async () => {
    requestCookies = [{ name: 'better-auth.session_token', value: 'abc' }];
    answer = { status: 502, body: { detail: 'bad gateway' } };
    expect(await readSession()).toEqual({ status: 'error', message: expect.stringMatching(/unavailable/) });
  });
});
