/**
 * @jest-environment node
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NextRequest } from 'next/server';
import { readSession } from '@/app/lib/data';
import { REQUEST_PATH_HEADER } from '@/app/lib/gate';
import { config, proxy } from '@/proxy';
import { session } from './support/fake-api';

let requestCookies: { name: string; value: string }[] = [];
jest.mock('next/headers', () => ({ cookies: async () => ({ getAll: () => requestCookies }) }));

describe('src/proxy.ts: the optimistic gate of the signed-in pages', () => {
  it('covers the task and chat pages only (never /api, whose bodies it would otherwise buffer)', () => {
    expect(config.matcher.map((m) => m.source)).toEqual(['/tasks/:path*', '/chat/:path*']);
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
