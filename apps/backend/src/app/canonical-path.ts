import type { FastifyReply, FastifyRequest } from 'fastify';
import { pathSegmentProblem } from '@todo-stack/shared';

/**
 * Why a request path is not in canonical form, or `undefined` when it is. Canonical: it starts with one `/`, has no
 * empty segment (`//`; a trailing `/` is allowed, the router ignores it), no backslash, and no segment that is, once
 * decoded, `.` or `..`, ends with a dot, or holds a `/`, `\` or `%` (an encoded separator, or an escape left after
 * one decoding: `%252e`). Other characters are the route's schema's business (a NUL in an id is its 422).
 *
 * Such paths are what a normalising hop (the WHATWG URL parser in front of Better Auth, a proxy, a file server) would
 * read as another route than the one Fastify matched: `/api/auth/x/../sign-in/email` matches the `/api/auth/*`
 * catch-all here but is `/api/auth/sign-in/email` to `new URL()`, past that route's schema and sign-in limit.
 */
const NEEDS_SEGMENT_CHECK = /[%\\.]|\/\//;

function nonCanonicalPath(url: string): string | undefined {
  const end = url.search(/[?#]/);
  const path = end === -1 ? url : url.slice(0, end);
  if (!path.startsWith('/')) return 'the path must start with "/"';
  // Without a `%`, `\`, `.` or `//` no segment can be empty, a dot segment, end with a dot or hold an escape.
  if (!NEEDS_SEGMENT_CHECK.test(path)) return undefined;
  if (path.includes('\\')) return 'backslashes are not allowed in the path';
  const segments = path.slice(1).split('/');
  for (const [index, raw] of segments.entries()) {
    if (raw === '') {
      if (index === segments.length - 1) continue; // one trailing slash
      return 'empty path segments ("//") are not allowed';
    }
    const problem = pathSegmentProblem(raw);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * The first `onRequest` hook (callback style: no promise per request): a non-canonical path is refused with 400 before any route, catch-all, rate limit or
 * 404 handler sees it, so every route is reached only by its one spelling, with its one set of checks.
 */
export function refuseNonCanonicalPath(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  const reason = nonCanonicalPath(request.url);
  if (reason) void reply.status(400).send({ detail: `Bad request path: ${reason}.` });
  else done();
}
