import { createApiClient } from '@todo-stack/shared';

export { errorMessage, fieldErrors, isUnauthorized } from './errors';

/**
 * The typed API client for the browser: same origin (the /api forwarder), session cookie sent automatically. Only
 * the auth calls use it (sign-in, sign-up, sign-out and its check: docs/architecture.md says why); every other
 * write is a Server Action (`actions.ts`) and every read a server component (`data.ts`).
 */
export const api = createApiClient({
  // The page's own origin: requests are built as `Request`s, which need an absolute URL outside a browser too.
  baseUrl: typeof window === 'undefined' ? '' : window.location.origin,
  credentials: 'same-origin',
  // Looked up on every call, not bound once at import (tests and instrumentation replace it).
  fetch: (input, init) => globalThis.fetch(input, init),
});
