import { ApiError, createApiClient } from '@todo-stack/shared';

/** The typed API client for the browser: same origin (the /api proxy), session cookie sent automatically. */
export const api = createApiClient({
  // The page's own origin: requests are built as `Request`s, which need an absolute URL outside a browser too.
  baseUrl: typeof window === 'undefined' ? '' : window.location.origin,
  credentials: 'same-origin',
  // Looked up on every call, not bound once at import (tests and instrumentation replace it).
  fetch: (input, init) => globalThis.fetch(input, init),
});

/** 401: no session, or it expired. */
export function isUnauthorized(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401;
}

/** A sentence to show the user for any failed call. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 502 || error.status === 503 || error.status === 504) {
      return 'The server is unavailable right now. Try again in a moment.';
    }
    if (error.status === 429) return 'Too many attempts. Wait a minute and try again.';
    if (error.status >= 500) return 'Something went wrong on the server. Try again.';
    return error.message;
  }
  // fetch rejects (TypeError) when the frontend itself cannot be reached.
  return 'Cannot reach the server. Check your connection and try again.';
}

/** Validation problems by field name (`title`, `email`...), for showing next to inputs. */
export function fieldErrors(error: unknown): Record<string, string> {
  return error instanceof ApiError && error.status === 422 ? error.fieldErrors : {};
}
