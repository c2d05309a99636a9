/**
 * The backend as the user of the current request, for server components (`data.ts`) and Server Actions
 * (`actions.ts`): never imported by client code. It sends what the /api forwarder would: the request's cookies, the
 * browser's address as the only X-Forwarded-For entry (so rate limits key on the real client, not on the frontend)
 * and the trace context. BACKEND_URL is read on every call; nothing is cached.
 */
import { createApiClient } from '@todo-stack/shared';
import { cookies, headers } from 'next/headers';
import { cache } from 'react';
import { backendUrl } from './backend';
import { peerAddress } from './client-address';
import { withTraceContext } from './trace-context';

/** The request's cookies, read once per render or action. */
export const requestCookies = cache(async () => (await cookies()).getAll());

export async function backendForRequest() {
  const cookie = (await requestCookies()).map(({ name, value }) => `${name}=${value}`).join('; ');
  const peer = peerAddress(await headers());
  return createApiClient({
    baseUrl: backendUrl(),
    headers: { ...(cookie ? { cookie } : {}), ...(peer ? { 'x-forwarded-for': peer } : {}) },
    // The client may pass a Request holding the headers: keep them, adding the trace context.
    fetch: (input, init) => {
      const merged = withTraceContext(init?.headers ?? (input instanceof Request ? input.headers : undefined));
      return fetch(input, { ...init, headers: merged, cache: 'no-store' });
    },
  });
}
