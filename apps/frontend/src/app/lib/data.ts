/**
 * Server-side reads from the backend, for server components (never imported by client code): the request's own
 * cookie is forwarded, nothing is cached across requests, and each read is shared by every component of one render
 * (React `cache`), so the root layout, the signed-in layout and a page ask the backend once.
 */
import { createApiClient, LIMITS, type TaskList } from '@todo-stack/shared';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import { errorMessage, isUnauthorized } from './api';
import { backendUrl } from './backend';
import { isSessionCookie } from './gate';
import { safeNextPath } from './next-path';
import { withTraceContext } from './trace-context';
import type { SessionState } from './session';

const requestCookies = cache(async () => (await cookies()).getAll());

/** The backend as the user of this request (their cookies), BACKEND_URL read now. */
async function backendForRequest() {
  const cookie = (await requestCookies()).map(({ name, value }) => `${name}=${value}`).join('; ');
  return createApiClient({
    baseUrl: backendUrl(),
    headers: cookie ? { cookie } : {},
    // The client may pass a Request holding the headers: keep them, adding the trace context.
    fetch: (input, init) => {
      const headers = withTraceContext(init?.headers ?? (input instanceof Request ? input.headers : undefined));
      return fetch(input, { ...init, headers, cache: 'no-store' });
    },
  });
}

/**
 * Who is signed in. Without a session cookie the answer is known without asking the backend; with one that the
 * backend no longer accepts, the session has expired.
 */
export const readSession = cache(async (): Promise<SessionState> => {
  if (!(await requestCookies()).some(({ name }) => isSessionCookie(name))) return { status: 'anonymous' };
  try {
    const session = await (await backendForRequest()).auth.getSession();
    return session ? { status: 'authenticated', user: session.user } : { status: 'anonymous', reason: 'expired' };
  } catch (error) {
    if (isUnauthorized(error)) return { status: 'anonymous', reason: 'expired' };
    return { status: 'error', message: errorMessage(error) };
  }
});

/** The first page of the user's tasks (all, newest first), or null when it cannot be read now (the browser retries). */
export async function readFirstTaskPage(userId: string): Promise<TaskList | null> {
  try {
    return await (await backendForRequest()).tasks.list(userId, { limit: LIMITS.taskPageDefault, offset: 0 });
  } catch {
    return null;
  }
}

/** The sign-in and sign-up pages are for visitors: a signed-in user goes on to `?next=` (or the tasks) at once. */
export async function redirectWhenSignedIn(searchParams: Promise<Record<string, string | string[] | undefined>>) {
  if ((await readSession()).status !== 'authenticated') return;
  const { next } = await searchParams;
  redirect(safeNextPath(typeof next === 'string' ? next : undefined));
}
