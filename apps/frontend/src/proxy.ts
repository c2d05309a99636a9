import { NextResponse, type NextRequest } from 'next/server';
import { isSessionCookie, REQUEST_PATH_HEADER } from '@/app/lib/gate';
import { signInPath } from '@/app/lib/next-path';

/** The pages only the signed-in see: the optimistic gate below runs for them. */
const GATED = ['/tasks', '/chat'];

/** One year; no `includeSubDomains`/`preload`: the chart does not own the parent domain. */
export const HSTS = 'max-age=31536000';

/**
 * The page's Content-Security-Policy, as Next's CSP guide gives it for the App Router: scripts only from this origin
 * or carrying this request's nonce (Next puts it on its own inline scripts when it finds the policy in the request
 * headers), no plugins, no `<base>`, forms only to this origin, and never inside a frame. Development adds what
 * React's dev tooling needs (eval, inline styles); over https, every http subresource is upgraded.
 */
export function contentSecurityPolicy(nonce: string, { dev = false, https = false } = {}): string {
  return [
    `default-src 'self'`,
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? ` 'unsafe-eval'` : ''}`,
    `style-src 'self' ${dev ? `'unsafe-inline'` : `'nonce-${nonce}'`}`,
    `img-src 'self' blob: data:`,
    `font-src 'self'`,
    `connect-src 'self'${dev ? ' ws:' : ''}`,
    `object-src 'none'`,
    `base-uri 'self'`,
    `form-action 'self'`,
    `frame-ancestors 'none'`,
    ...(https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

/** Whether the browser reached us over https (directly, or through a proxy or ingress that terminated TLS). */
function overHttps(request: NextRequest): boolean {
  const forwarded = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim();
  return (forwarded ?? request.nextUrl.protocol.replace(':', '')) === 'https';
}

/**
 * Next's proxy (before any rendering), for every page:
 * - a fresh nonce and the page's Content-Security-Policy, on the request (so Next stamps its scripts) and on the
 *   answer; HSTS in production over https (browsers ignore it over http anyway). The headers that never change
 *   (X-Frame-Options, nosniff, Referrer-Policy) are in next.config.ts, for every answer;
 * - for the signed-in pages, the optimistic gate: a visitor without a session cookie goes straight to the sign-in
 *   page, with no backend call and nothing rendered (Server Actions excepted: they answer `expired` themselves). The signed-in layout (`app/(signed-in)/layout.tsx`) then asks
 *   the backend whether the session is still valid.
 */
export function proxy(request: NextRequest): NextResponse {
  const { pathname, search } = request.nextUrl;
  const path = `${pathname}${search}`;
  const gated = GATED.some((page) => pathname === page || pathname.startsWith(`${page}/`));
  // A Server Action is a POST to its page: a redirect would be followed as a POST to the sign-in page and fail
  // there. The action checks the session itself (no cookie → `expired`, and the page sends the user to sign in).
  const serverAction = request.method === 'POST' && request.headers.has('next-action');
  if (gated && !serverAction && !request.cookies.getAll().some(({ name }) => isSessionCookie(name))) {
    return NextResponse.redirect(new URL(signInPath(undefined, path), request.url));
  }

  const https = overHttps(request);
  const csp = contentSecurityPolicy(Buffer.from(crypto.randomUUID()).toString('base64'), {
    dev: process.env.NODE_ENV === 'development',
    https,
  });
  // Set here, so whatever a client sent under these names is replaced.
  const headers = new Headers(request.headers);
  headers.set('content-security-policy', csp);
  if (gated) headers.set(REQUEST_PATH_HEADER, path);
  else headers.delete(REQUEST_PATH_HEADER);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('content-security-policy', csp);
  if (https && process.env.NODE_ENV === 'production') response.headers.set('strict-transport-security', HSTS);
  return response;
}

// Every page, never /api (the forwarder streams bodies the proxy would otherwise buffer) nor Next's static files.
// Prefetches are left out: the router would keep a redirect answered to a visitor and replay it after sign-in, and
// a prefetch is an RSC payload, not a document a policy applies to. (Next reads this object at build time: literals.)
export const config = {
  matcher: [
    {
      source: '/((?!api/|api$|_next/static|_next/image|favicon.ico).*)',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
