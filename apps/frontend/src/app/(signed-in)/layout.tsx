import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { readSession } from '@/app/lib/data';
import { REQUEST_PATH_HEADER } from '@/app/lib/gate';
import { signInPath } from '@/app/lib/next-path';
import { SessionUnavailable } from '@/app/ui/shell/session-unavailable';
import { SignedInOnly } from '@/app/ui/shell/signed-in-only';

/**
 * The gate of every signed-in page, once, on the server: the session is read from the backend with the request's
 * cookie before anything renders (no "Loading…" then redirect in the browser). `src/proxy.ts` has already sent
 * visitors without a session cookie away; here a cookie the backend no longer accepts means the session expired.
 */
export default async function SignedInLayout({ children }: { children: ReactNode }) {
  const session = await readSession();
  if (session.status === 'anonymous') {
    const next = (await headers()).get(REQUEST_PATH_HEADER) ?? undefined;
    redirect(signInPath(session.reason, next));
  }
  if (session.status === 'error') return <SessionUnavailable message={session.message} />;
  return <SignedInOnly>{children}</SignedInOnly>;
}
