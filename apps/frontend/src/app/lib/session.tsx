'use client';

import type { AuthUser } from '@todo-stack/shared';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, errorMessage, isUnauthorized } from './api';

export type SessionState =
  | { status: 'authenticated'; user: AuthUser }
  /** `reason` says why the user is signed out, for the message on the sign-in page. */
  | { status: 'anonymous'; reason?: 'expired' | 'signed-out' }
  | { status: 'error'; message: string };

interface SessionContextValue {
  state: SessionState;
  signedIn: (user: AuthUser) => void;
  /**
   * Ends the session on the backend. The user is shown as signed out only once the backend confirmed it (or the
   * session is found to no longer work); otherwise the session stays as it is and the sentence to show is returned.
   */
  signOut: () => Promise<string | null>;
  /** The backend refused the session (a Server Action answered `expired`): <SignedInOnly> sends the user to sign in. */
  expire: () => void;
}

const SessionContext = createContext<SessionContextValue | null>(null);

/**
 * The session in the browser. It starts from what the server read for this request (`initial`, from the root
 * layout), so nothing is fetched on load; sign-in, sign-out and an expired session change it from then on.
 */
export function SessionProvider({ initial, children }: { initial: SessionState; children: ReactNode }) {
  const [state, setState] = useState<SessionState>(initial);

  // A new server render (router.refresh(), e.g. "Try again" after an outage) read the session again: adopt it.
  useEffect(() => setState(initial), [initial]);

  const signedIn = useCallback((user: AuthUser) => setState({ status: 'authenticated', user }), []);

  const signOut = useCallback(async (): Promise<string | null> => {
    try {
      await api.auth.signOut();
    } catch (error) {
      // Not confirmed (server down, refused, network): signed out only if the session no longer works, as after it
      // expired. Showing "signed out" while the token still works would leave someone else at this browser in.
      const notSignedOut = `Could not sign out: ${errorMessage(error)} You are still signed in.`;
      try {
        if (await api.auth.getSession()) return notSignedOut;
      } catch (check) {
        if (!isUnauthorized(check)) return notSignedOut;
      }
    }
    setState({ status: 'anonymous', reason: 'signed-out' });
    return null;
  }, []);

  const expire = useCallback(() => setState({ status: 'anonymous', reason: 'expired' }), []);

  const value = useMemo(() => ({ state, signedIn, signOut, expire }), [state, signedIn, signOut, expire]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession must be used inside <SessionProvider>');
  return value;
}
