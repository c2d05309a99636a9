/**
 * @jest-environment node
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GET as health } from '@/app/api/health/route';
import { bodyLimit, DEFAULT_BODY_LIMIT_BYTES, forwardToBackend } from '@/app/lib/api-forwarder';
import { backendUrl, DEFAULT_BACKEND_URL } from '@/app/lib/backend';

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

describe('/api proxy: the target never leaves <backend>/api/', () => {
  let backend: Awaited<ReturnType<typeof fakeBackend>>;
  beforeAll(async () => {
    backend = await fakeBackend();
  });
  afterAll(() => new Promise((resolve) => backend.server.close(resolve)));

  /** Forwards `path` through a recording fetch to the fake backend: the URL fetched, and what the backend saw. */
  async function forward(path: string, base = backend.url) {
    const fetched: string[] = [];
    const before = backend.seen.length;
    const recording: typeof fetch = (input, init) => {
      fetched.push(String(input));
      return fetch(input, init);
    };
    const response = await forwardToBackend(new Request(`http://localhost:3000${path}`), base, recording);
    return { response, fetched, seen: backend.seen.slice(before).map((s) => s.url) };
  }

  // Spellings that would reach something other than /api/<path> if joined or decoded naively.
  it.each([
    '/api/..%2f..%2fhealth',
    '/api/..%2F..%2Fready',
    '/api/%2e%2e/x',
    '/api/x/%2E%2E/%2e%2e/health',
    '/api/%2e%2e%2fhealth',
    '/api/.%2e/.%2e/health',
    '/api/%252e%252e/%252e%252e/health',
    '/api/%252f..%252fhealth',
    '/api/..\\..\\health',
    '/api/%5c..%5chealth',
    '/api//evil.example/x',
    '/api/%2f%2fevil.example/x',
    '/api/x/..',
    '/api/',
    '/api',
    '/apix/y',
    '/health',
    '/api/user-1/tasks.',
    '/api/user-1/%E0%A4%A',
  ])('%s: refused with 400 {detail}, nothing fetched', async (path) => {
    const { response, fetched, seen } = await forward(path);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ detail: expect.stringMatching(/^Bad request path: /) });
    expect(fetched).toEqual([]);
    expect(seen).toEqual([]);
  });

  it.each([
    ['/api/user-1/tasks', '/api/user-1/tasks'],
    ['/api/user-1/tasks/', '/api/user-1/tasks/'],
    ['/api/./user-1/tasks', '/api/user-1/tasks'],
    ['/api/x/../user-1/tasks', '/api/user-1/tasks'],
    ['/api/auth/get-session?next=/../..%2f', '/api/auth/get-session?next=/../..%2f'],
    ['/api/user-1/tasks/%31', '/api/user-1/tasks/1'],
    // Not a separator: the backend's schema answers it (422).
    ['/api/user-1/tasks/%00', '/api/user-1/tasks/%00'],
    ['/api/@evil.example/x', '/api/%40evil.example/x'],
    ['/api/user:1/a%20b', '/api/user%3A1/a%20b'],
  ])('%s: forwarded as <backend>%s', async (path, expected) => {
    const { response, fetched, seen } = await forward(path);
    expect(response.status).toBe(200);
    expect(fetched).toEqual([`${backend.url}${expected}`]);
    expect(seen).toEqual([expected]);
  });

  it('keeps a BACKEND_URL path prefix and its origin', async () => {
    const { fetched } = await forward('/api/a/b', `${backend.url}/prefix/`);
    expect(fetched).toEqual([`${backend.url}/prefix/api/a/b`]);
    const refused = await forward('/api/..%2f..%2fb', `${backend.url}/prefix`);
    expect(refused.response.status).toBe(400);
    expect(refused.fetched).toEqual([]);
  });
});

/**
 * A request body streamed without Content-Length (chunked, as a client may send it): `size` bytes in 16 KiB chunks,
 * produced only when read, so `pulled()` tells how much the forwarder actually consumed.
 */
function streamedRequest(size: number, headers: Record<string, string> = {}) {
  const chunk = new Uint8Array(16 * 1024).fill(120);
  let produced = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (produced >= size) return controller.close();
        const next = chunk.subarray(0, Math.min(chunk.byteLength, size - produced));
        produced += next.byteLength;
        controller.enqueue(next);
      },
    },
    { highWaterMark: 0 },
  );
  const request = new Request('http://localhost:3000/api/user-1/tasks', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    duplex: 'half',
  } as RequestInit);
  return { request, pulled: () => produced };
}

describe('/api proxy: request size and client address', () => {
  let backend: Awaited<ReturnType<typeof fakeBackend>>;
  beforeAll(async () => {
    backend = await fakeBackend();
  });
  afterAll(() => new Promise((resolve) => backend.server.close(resolve)));
  const limit = 64 * 1024;

  it('refuses a declared Content-Length over the limit with 413 before reading the body', async () => {
    const { request, pulled } = streamedRequest(limit + 1, { 'content-length': String(limit + 1) });
    const before = backend.seen.length;
    const response = await forwardToBackend(request, backend.url, fetch, limit);
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ detail: 'The request is too large: at most 64 KB can be sent.' });
    expect(pulled()).toBe(0);
    expect(backend.seen.length).toBe(before);
  });

  it('stops reading a streamed body at the limit: 413, and nothing buffered beyond it or sent on', async () => {
    const { request, pulled } = streamedRequest(8 * 1024 * 1024);
    const before = backend.seen.length;
    const response = await forwardToBackend(request, backend.url, fetch, limit);
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ detail: expect.stringMatching(/too large/) });
    // One 16 KiB chunk past the limit at most, of the 8 MiB offered.
    expect(pulled()).toBeLessThanOrEqual(limit + 16 * 1024);
    expect(backend.seen.length).toBe(before);
  });

  it('forwards a streamed body of exactly the limit whole', async () => {
    const { request } = streamedRequest(limit);
    const response = await forwardToBackend(request, backend.url, fetch, limit);
    expect(response.status).toBe(200);
    expect(backend.seen.at(-1)?.body).toHaveLength(limit);
  });

  it('reads the limit from BODY_LIMIT_BYTES, the backend’s variable, with the backend’s default', () => {
    expect(bodyLimit({})).toBe(DEFAULT_BODY_LIMIT_BYTES);
    expect(bodyLimit({ BODY_LIMIT_BYTES: '2048' })).toBe(2048);
    expect(bodyLimit({ BODY_LIMIT_BYTES: 'lots' })).toBe(DEFAULT_BODY_LIMIT_BYTES);
  });

  it('sends the peer address as the only X-Forwarded-For entry, and no client-written forwarding header', async () => {
    const request = new Request('http://localhost:3000/api/whoami', {
      headers: { 'x-forwarded-for': '6.6.6.6, 10.1.2.3', forwarded: 'for=6.6.6.6', 'x-real-ip': '6.6.6.6' },
    });
    await forwardToBackend(request, backend.url);
    const seen = backend.seen.at(-1) as Seen;
    expect(seen.headers['x-forwarded-for']).toBe('10.1.2.3');
    expect(seen.headers.forwarded).toBeUndefined();
    expect(seen.headers['x-real-ip']).toBeUndefined();
  });
});

describe('scripts/peer-address.cjs (preloaded before the standalone server)', () => {
  it('replaces a client-written X-Forwarded-For by the socket address before the app sees the request', async () => {
    // The module object itself (an ESM import would give a copy), as Next's server.js requires it.
    const http = require('node:http') as typeof import('node:http');
    const original = http.createServer;
    require('../scripts/peer-address.cjs');
    try {
      const server = http.createServer((req, res) => res.end(String(req.headers['x-forwarded-for'])));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const response = await fetch(`http://127.0.0.1:${port}/`, { headers: { 'x-forwarded-for': '6.6.6.6' } });
        expect(await response.text()).toBe('127.0.0.1');
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    } finally {
      http.createServer = original;
    }
  });
});

describe('scripts/http-timeouts.cjs (preloaded before the standalone server)', () => {
  /** A server created after the preload, with short limits from the environment, and a raw client on it. */
  async function withServer(run: (port: number) => Promise<void>) {
    const http = require('node:http') as typeof import('node:http');
    const original = http.createServer;
    const saved = { ...process.env };
    Object.assign(process.env, {
      HTTP_HEADERS_TIMEOUT_MS: '300',
      HTTP_REQUEST_TIMEOUT_MS: '600',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '300',
    });
    jest.isolateModules(() => require('../scripts/http-timeouts.cjs'));
    try {
      const server = http.createServer((req, res) => {
        req.resume();
        req.on('end', () => res.end('ok'));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        await run((server.address() as AddressInfo).port);
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    } finally {
      http.createServer = original;
      process.env = saved;
    }
  }

  /** Writes `head`, then one of `pieces` every 100 ms until the server closes; what it answered and if it closed. */
  async function trickle(port: number, head: string, pieces: string[]) {
    const { connect } = require('node:net') as typeof import('node:net');
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let closed = false;
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('error', () => undefined);
    const closing = new Promise<void>((resolve) => socket.on('close', () => ((closed = true), resolve())));
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(head);
    for (const piece of pieces) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (closed) break;
      socket.write(piece);
    }
    const closedByServer = closed;
    socket.destroy();
    await closing;
    return { received, closedByServer };
  }
  // 3 s of trickling: ten times the limits set above, and far within Node's own defaults (60 s, 300 s, 5 s).
  const STEPS = Array.from({ length: 30 }, (_, i) => `x-${i}: ${i}\r\n`);

  it('answers 408 and disconnects a client that sends its headers too slowly', async () => {
    await withServer(async (port) => {
      const { received, closedByServer } = await trickle(port, 'GET / HTTP/1.1\r\nHost: web\r\n', STEPS);
      expect(closedByServer).toBe(true);
      expect(received).toMatch(/^HTTP\/1\.1 408 /);
    });
  });

  it('disconnects a client that sends its body too slowly', async () => {
    await withServer(async (port) => {
      const head = 'POST / HTTP/1.1\r\nHost: web\r\nContent-Length: 1000\r\n\r\n';
      const { closedByServer } = await trickle(
        port,
        head,
        STEPS.map(() => 'x'),
      );
      expect(closedByServer).toBe(true);
    });
  });

  it('closes an idle keep-alive connection, and serves a normal request', async () => {
    await withServer(async (port) => {
      const idle = STEPS.map(() => '');
      const { received, closedByServer } = await trickle(port, 'GET / HTTP/1.1\r\nHost: web\r\n\r\n', idle);
      expect(received).toMatch(/^HTTP\/1\.1 200 [^]*\r\n\r\nok$/);
      expect(closedByServer).toBe(true);
    });
  });

  it('reads its limits from the environment, with defaults a browser never meets, and refuses nonsense', () => {
    const { timeouts, DEFAULTS } = require('../scripts/http-timeouts.cjs') as {
      timeouts: (env: Record<string, string>) => Record<string, number>;
      DEFAULTS: Record<string, number>;
    };
    expect(timeouts({})).toEqual({
      headersTimeout: DEFAULTS['HTTP_HEADERS_TIMEOUT_MS'],
      requestTimeout: DEFAULTS['HTTP_REQUEST_TIMEOUT_MS'],
      keepAliveTimeout: DEFAULTS['HTTP_KEEP_ALIVE_TIMEOUT_MS'],
      connectionsCheckingInterval: 1_000,
    });
    expect(DEFAULTS).toEqual({
      HTTP_HEADERS_TIMEOUT_MS: 15_000,
      HTTP_REQUEST_TIMEOUT_MS: 60_000,
      HTTP_KEEP_ALIVE_TIMEOUT_MS: 65_000,
    });
    expect(() => timeouts({ HTTP_HEADERS_TIMEOUT_MS: 'soon' })).toThrow(/HTTP_HEADERS_TIMEOUT_MS must be/);
    expect(() => timeouts({ HTTP_HEADERS_TIMEOUT_MS: '90000' })).toThrow(/longer than HTTP_REQUEST_TIMEOUT_MS/);
  });
});

describe('/api/health', () => {
  it('answers 200 {status: "ok"} by itself', async () => {
    const response = health();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });
});
