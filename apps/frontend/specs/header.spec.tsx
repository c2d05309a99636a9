import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Header } from '@/app/ui/shell/header';
import { fakeApi, session, unreachable, user } from './support/fake-api';
import { renderWithSession } from './support/render';

const SIGN_OUT = 'POST /api/auth/sign-out';
const GET_SESSION = 'GET /api/auth/get-session';

/** Signing out lowers privilege: the header says "signed out" only once the session no longer works. */
describe('sign-out in the header', () => {
  const renderHeader = () => renderWithSession(<Header />, { status: 'authenticated', user });

  it('shows the signed-out state once the backend confirmed it', async () => {
    const api = fakeApi({ [SIGN_OUT]: { status: 200, body: { success: true } } });
    renderHeader();
    await userEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Sign out' })).not.toBeInTheDocument());
    expect(screen.queryByText(user.name)).not.toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(api.calls.map((call) => `${call.method} ${call.path}`)).toEqual([SIGN_OUT]);
  });

  it.each([
    [
      'refuses it',
      { status: 429, body: { detail: 'Too many requests: try again in 30 seconds.' } },
      /Too many attempts/,
    ],
    ['is down', { status: 503, body: { detail: 'Service unavailable' } }, /server is unavailable/],
    ['cannot be reached', unreachable, /Cannot reach the server/],
  ] as const)(
    'stays signed in and says so when the backend %s while the session still works',
    async (_, reply, why) => {
      fakeApi({ [SIGN_OUT]: reply, [GET_SESSION]: { status: 200, body: session } });
      renderHeader();
      await userEvent.click(screen.getByRole('button', { name: 'Sign out' }));
      const alert = await screen.findByRole('alert');
      expect(alert).toHaveTextContent(why);
      expect(alert).toHaveTextContent(/^Could not sign out: .* You are still signed in\.$/);
      // Still signed in, and the button works again for another try.
      expect(screen.getByText(user.name)).toBeInTheDocument();
      expect(screen.getByRole('button', { name: 'Sign out' })).toBeEnabled();
    },
  );

  it('stays signed in when neither the sign-out nor the check can reach the server', async () => {
    fakeApi({ [SIGN_OUT]: unreachable, [GET_SESSION]: unreachable });
    renderHeader();
    await userEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(/Could not sign out/);
    expect(screen.getByRole('button', { name: 'Sign out' })).toBeInTheDocument();
  });

  it('counts as signed out when the sign-out failed but the session no longer works', async () => {
    fakeApi({
      [SIGN_OUT]: { status: 400, body: { detail: 'Failed to get session' } },
      [GET_SESSION]: { status: 200, body: null },
    });
    renderHeader();
    await userEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Sign out' })).not.toBeInTheDocument());
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});
