/**
 * @jest-environment node
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GET as health } from '@/app/api/health/route';
import { backendUrl, DEFAULT_BACKEND_URL, forwardToBackend } from '@/app/lib/api-forwarder';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real HTTP server standing in for the backend: records requests, answers with two cookies. */
async function fakeBackend(): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (req.url?.startsWith('/api/none')) {
        res.writeHead(204).end();
        return;
      }
      res.writeHead(req.url?.startsWith('/api/missing') ? 404 : 200, {
        'content-type': 'application/json',
        'set-cookie': ['session=abc; Path=/; HttpOnly', 'other=1; Path=/'],
      });
      res.end(JSON.stringify({ ok: true, path: req.url }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

describe('/api proxy', () => {
  let backend: Awaited<ReturnType<typeof fakeBackend>>;
  beforeAll(async () => {
    backend = await fakeBackend();
  });
  afterAll(() => new Promise((resolve) => backend.server.close(resolve)));

  it('forwards method, path, query, body, cookie and Authorization, and returns status, body and every cookie', async () => {
    const request = new Request('http://localhost:3000/api/user-1/tasks?status=pending', {
      method: 'POST',
      headers: {
        cookie: 'better-auth.session_token=xyz',
        authorization: 'Bearer tok',
        'content-type': 'application/json',
        origin: 'http://localhost:3000',
      },
      body: JSON.stringify({ title: 'Buy milk' }),
    });
    const response = await forwardToBackend(request, backend.url);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, path: '/api/user-1/tasks?status=pending' });
    expect(response.headers.getSetCookie()).toEqual(['session=abc; Path=/; HttpOnly', 'other=1; Path=/']);
    const [seen] = backend.seen.slice(-1) as [Seen];
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/api/user-1/tasks?status=pending');
    expect(seen.body).toBe('{"title":"Buy milk"}');
    expect(seen.headers.cookie).toBe('better-auth.session_token=xyz');
    expect(seen.headers.authorization).toBe('Bearer tok');
    expect(seen.headers.origin).toBe('http://localhost:3000');
    expect(seen.headers['x-forwarded-host']).toBe('localhost:3000');
    expect(seen.headers.host).toBe(new URL(backend.url).host);
  });

  it('passes error statuses and empty answers through unchanged', async () => {
    const missing = await forwardToBackend(new Request('http://localhost:3000/api/missing'), backend.url);
    expect(missing.status).toBe(404);
    const none = await forwardToBackend(
      new Request('http://localhost:3000/api/none', { method: 'DELETE' }),
      backend.url,
    );
    expect(none.status).toBe(204);
    expect(await none.text()).toBe('');
  });

  it('answers 502 with a readable detail when the backend is down', async () => {
    const down = await fakeBackend();
    await new Promise((resolve) => down.server.close(resolve));
    const response = await forwardToBackend(new Request('http://localhost:3000/api/auth/get-session'), down.url);
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ detail: expect.stringMatching(/unavailable/) });
  });

  it('reads BACKEND_URL at request time, defaulting to the local backend', () => {
    expect(backendUrl({})).toBe(DEFAULT_BACKEND_URL);
    expect(backendUrl({ BACKEND_URL: 'http://api.internal:8000/' })).toBe('http://api.internal:8000');
  });

  it('uses the BACKEND_URL set when the request arrives', async () => {
    const previous = process.env['BACKEND_URL'];
    process.env['BACKEND_URL'] = backend.url;
    try {
      const response = await forwardToBackend(new Request('http://localhost:3000/api/runtime'));
      expect(await response.json()).toEqual({ ok: true, path: '/api/runtime' });
    } finally {
      process.env['BACKEND_URL'] = previous;
    }
  });
});

describe('/api/health', () => {
  it('answers 200 {status: "ok"} by itself', async () => {
    const response = health();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });
});
