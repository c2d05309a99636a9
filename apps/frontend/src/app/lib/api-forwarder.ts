/**
 * The `/api` forwarder (used by `app/api/[...path]/route.ts`; not Next's `proxy.ts` file convention): the browser
 * talks only to the frontend's origin, and `/api/*` is forwarded here to the backend, whose URL is runtime
 * configuration (BACKEND_URL, read on every request) so one build runs in every environment.
 */
import { pathSegmentProblem } from '@todo-stack/shared';
import { backendUrl } from './backend';
import { peerAddress } from './client-address';
import { withTraceContext } from './trace-context';

/**
 * The largest request body forwarded. The backend refuses bodies over its BODY_LIMIT_BYTES (default 100 KiB) anyway;
 * the forwarder reads the same variable, with the same default, so it never holds more than that in memory.
 */
export const DEFAULT_BODY_LIMIT_BYTES = 100 * 1024;

/** How long a backend call may take; chat turns run an agent, so this is generous. */
const UPSTREAM_TIMEOUT_MS = 60_000;

// Hop-by-hop headers (RFC 9110 §7.6.1) and those fetch recomputes itself.
const REQUEST_HEADERS_DROPPED = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'accept-encoding',
  'expect',
  // Client-supplied forwarding headers are never passed on: X-Forwarded-For is set below from the peer address.
  'forwarded',
  'x-forwarded-for',
  'x-real-ip',
]);
// fetch has already decoded the body, so length and encoding of the upstream answer no longer apply.
const RESPONSE_HEADERS_DROPPED = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-encoding',
  'content-length',
  'set-cookie',
]);

export function bodyLimit(env: Record<string, string | undefined> = process.env): number {
  const limit = Number(env['BODY_LIMIT_BYTES']);
  return Number.isSafeInteger(limit) && limit > 0 ? limit : DEFAULT_BODY_LIMIT_BYTES;
}

type Body = { ok: true; bytes: Uint8Array<ArrayBuffer> | undefined } | { ok: false };

/**
 * The request body, read only while it stays within `limit` bytes: a declared Content-Length over the limit is
 * refused before reading, and a streamed body is counted chunk by chunk and cancelled at the first byte too many.
 */
async function readBoundedBody(request: Request, limit: number): Promise<Body> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) return { ok: false };
  if (!request.body) return { ok: true, bytes: undefined };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return { ok: false };
    }
    chunks.push(value);
  }
  return { ok: true, bytes: Buffer.concat(chunks) };
}

function tooLarge(limit: number): Response {
  const size = limit >= 1024 ? `${Math.floor(limit / 1024)} KB` : `${limit} bytes`;
  return Response.json(
    { detail: `The request is too large: at most ${size} can be sent.` },
    { status: 413, headers: { 'cache-control': 'no-store', connection: 'close' } },
  );
}

/** Why a path segment (as the client encoded it) may not be forwarded, or `undefined` when it may. */
function segmentProblem(raw: string): string | undefined {
  return raw === '' ? 'empty path segments ("//") are not allowed' : pathSegmentProblem(raw);
}

type Upstream = { ok: true; url: URL } | { ok: false; reason: string };

/**
 * The backend URL for a request to `/api/...`: always `<BACKEND_URL>/api/<segments>`, whatever the client wrote. The
 * path is split into segments as the client encoded them, each decoded once and checked (no dot segment, encoded
 * separator, double encoding, backslash or empty segment), then encoded again, so no spelling can climb out of
 * `/api/` on the backend, name another host (`/api//evil.example/x`) or mean one thing here and another there.
 */
function upstreamUrl(requestUrl: string, backend: string): Upstream {
  const incoming = new URL(requestUrl);
  // WHATWG parsing has already resolved plain and %2e dot segments: `/api/%2e%2e/x` arrives as `/x`.
  const [api, ...rest] = incoming.pathname.slice(1).split('/');
  if (incoming.pathname.charAt(0) !== '/' || api !== 'api' || rest.length === 0) {
    return { ok: false, reason: 'only paths under /api/ are forwarded' };
  }
  // One trailing slash is kept: the backend's router ignores it.
  const segments = rest.at(-1) === '' && rest.length > 1 ? rest.slice(0, -1) : rest;
  for (const raw of segments) {
    const problem = segmentProblem(raw);
    if (problem) return { ok: false, reason: problem };
  }
  const base = new URL(backend);
  const prefix = `${base.pathname.replace(/\/+$/, '')}/api/`;
  const path = segments.map((raw) => encodeURIComponent(decodeURIComponent(raw))).join('/');
  const url = new URL(`${prefix}${path}${segments === rest ? '' : '/'}${incoming.search}`, base.origin);
  // By construction; checked anyway, as this is the one property the forwarder must keep.
  if (url.origin !== base.origin || !url.pathname.startsWith(prefix)) {
    return { ok: false, reason: 'the path does not stay under /api/' };
  }
  return { ok: true, url };
}

/** Forwards method, path, query, body, cookies and Authorization; passes status, headers and every Set-Cookie back. */
export async function forwardToBackend(
  request: Request,
  backend: string = backendUrl(),
  doFetch: typeof fetch = fetch,
  limit: number = bodyLimit(),
): Promise<Response> {
  const target = upstreamUrl(request.url, backend);
  if (!target.ok) {
    return Response.json(
      { detail: `Bad request path: ${target.reason}.` },
      { status: 400, headers: { 'cache-control': 'no-store' } },
    );
  }
  const headers = new Headers();
  request.headers.forEach((value, key) => {
    if (!REQUEST_HEADERS_DROPPED.has(key.toLowerCase())) headers.set(key, value);
  });
  const incoming = new URL(request.url);
  headers.set('x-forwarded-host', request.headers.get('host') ?? incoming.host);
  headers.set('x-forwarded-proto', incoming.protocol.replace(':', ''));
  const peer = peerAddress(request.headers);
  if (peer) headers.set('x-forwarded-for', peer);
  // The frontend's trace continues in the backend (tracing on: src/instrumentation.ts).
  withTraceContext().forEach((value, key) => headers.set(key, value));

  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  const body = hasBody ? await readBoundedBody(request, limit) : { ok: true as const, bytes: undefined };
  if (!body.ok) return tooLarge(limit);
  let upstream: Response;
  try {
    upstream = await doFetch(target.url, {
      method: request.method,
      headers,
      body: body.bytes,
      redirect: 'manual',
      cache: 'no-store',
      signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
    });
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    return Response.json(
      {
        detail: timedOut
          ? 'The server took too long to answer. Try again in a moment.'
          : 'The server is unavailable right now. Try again in a moment.',
      },
      { status: timedOut ? 504 : 502, headers: { 'cache-control': 'no-store' } },
    );
  }

  const responseHeaders = new Headers();
  upstream.headers.forEach((value, key) => {
    if (!RESPONSE_HEADERS_DROPPED.has(key.toLowerCase())) responseHeaders.set(key, value);
  });
  for (const cookie of upstream.headers.getSetCookie()) responseHeaders.append('set-cookie', cookie);

  const noBody = request.method === 'HEAD' || [101, 204, 205, 304].includes(upstream.status);
  return new Response(noBody ? null : upstream.body, {
    status: upstream.status,
    statusText: upstream.statusText,
    headers: responseHeaders,
  });
}
