import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { SessionProvider, type SessionState } from '@/app/lib/session';
import { SignedInOnly } from '@/app/ui/shell/signed-in-only';
import { user } from './fake-api';

/** Renders a signed-in page body the way the app does: the session the server read, the browser's half of the gate. */
export function renderSignedIn(ui: ReactElement) {
  return render(
    <SessionProvider initial={{ status: 'authenticated', user }}>
      <SignedInOnly>{ui}</SignedInOnly>
    </SessionProvider>,
  );
}

export function renderWithSession(ui: ReactElement, initial: SessionState = { status: 'anonymous' }) {
  return render(<SessionProvider initial={initial}>{ui}</SessionProvider>);
}
