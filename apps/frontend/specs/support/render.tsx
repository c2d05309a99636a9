import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { SessionProvider } from '@/app/lib/session';
import { RequireUser } from '@/app/ui/shell/require-user';

/** Renders a page body the way the app does: inside the session provider, behind the signed-in gate. */
export function renderSignedIn(ui: ReactElement) {
  return render(
    <SessionProvider>
      <RequireUser>{ui}</RequireUser>
    </SessionProvider>,
  );
}

export function renderWithSession(ui: ReactElement) {
  return render(<SessionProvider>{ui}</SessionProvider>);
}
