/**
 * The `/api` forwarder (used by `app/api/[...path]/route.ts`; not Next's `proxy.ts` file convention): the browser
 * talks only to the frontend's origin, and `/api/*` is forwarded here to the backend, whose URL is runtime
 * configuration (BACKEND_URL, read on every request) so one build runs in every environment.
 */
export const DEFAULT_BACKEND_URL = 'http://127.0.0.1:8000';

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

export function backendUrl(env: Record<string, string | undefined> = process.env): string {
  return (env['BACKEND_URL'] || DEFAULT_BACKEND_URL).replace(/\/+$/, '');
}

export function upstreamUrl(requestUrl: string, backend: string): URL {
  const incoming = new URL(requestUrl);
  const base = new URL(backend);
  return new URL(`${base.pathname.replace(/\/+$/, '')}${incoming.pathname}${incoming.search}`, base.origin);
}

/** Forwards method, path, query, body, cookies and Authorization; passes status, headers and every Set-Cookie back. */
export async function forwardToBackend(
  request: Request,
  backend: string = backendUrl(),
  doFetch: typeof fetch = fetch,
): Promise<Response> {
  const target = upstreamUrl(request.url, backend);
  const headers = new Headers();
  request.headers.forEach((value, key) => {
    if (!REQUEST_HEADERS_DROPPED.has(key.toLowerCase())) headers.set(key, value);
  });
  const incoming = new URL(request.url);
  headers.set('x-forwarded-host', request.headers.get('host') ?? incoming.host);
  headers.set('x-forwarded-proto', incoming.protocol.replace(':', ''));

  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  let upstream: Response;
  try {
    upstream = await doFetch(target, {
      method: request.method,
      headers,
      body: hasBody ? await request.arrayBuffer() : undefined,
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
