import { NextResponse, type NextRequest } from 'next/server';
import { isSessionCookie, REQUEST_PATH_HEADER } from '@/app/lib/gate';
import { signInPath } from '@/app/lib/next-path';

/**
 * Next's proxy (before any rendering) for the signed-in pages: a visitor without a session cookie goes straight to
 * the sign-in page, with no backend call and nothing rendered. This is the optimistic check; the signed-in layout
 * (`app/(signed-in)/layout.tsx`) then asks the backend whether the session is still valid.
 */
export function proxy(request: NextRequest): NextResponse {
  const path = `${request.nextUrl.pathname}${request.nextUrl.search}`;
  if (!request.cookies.getAll().some(({ name }) => isSessionCookie(name))) {
    return NextResponse.redirect(new URL(signInPath(undefined, path), request.url));
  }
  // Set here, so whatever a client sent under that name is replaced.
  const headers = new Headers(request.headers);
  headers.set(REQUEST_PATH_HEADER, path);
  return NextResponse.next({ request: { headers } });
}

// Prefetches are left out: the router would keep a redirect answered to a visitor and replay it after sign-in.
// A prefetch of a dynamic page stops at the root loading boundary, so it renders nothing the gate protects.
// (Next reads this object at build time: literals only.)
export const config = {
  matcher: [
    {
      source: '/tasks/:path*',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
    {
      source: '/chat/:path*',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
