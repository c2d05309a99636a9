import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AuthForm } from '@/app/ui/auth/auth-form';
import { fakeApi, unreachable, user } from './support/fake-api';
import { navigation } from './support/navigation';
import { renderWithSession } from './support/render';

const anonymous = { 'GET /api/auth/get-session': { status: 200, body: null } };

describe('sign-in form', () => {
  it('signs in with email and password and goes to the tasks', async () => {
    const api = fakeApi({
      ...anonymous,
      'POST /api/auth/sign-in/email': { status: 200, body: { token: 't', user } },
    });
    renderWithSession(<AuthForm mode="sign-in" />);

    await userEvent.type(screen.getByLabelText('Email'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'correct horse');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    await waitFor(() => expect(navigation.router.replace).toHaveBeenCalledWith('/tasks'));
    expect(api.calls.find((c) => c.path === '/api/auth/sign-in/email')?.body).toEqual({
      email: 'ada@example.com',
      password: 'correct horse',
    });
  });

  it('returns to the page named by ?next after signing in', async () => {
    navigation.searchParams = new URLSearchParams('next=/chat');
    fakeApi({ ...anonymous, 'POST /api/auth/sign-in/email': { status: 200, body: { token: 't', user } } });
    renderWithSession(<AuthForm mode="sign-in" />);
    await userEvent.type(screen.getByLabelText('Email'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'pw');
    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(navigation.router.replace).toHaveBeenCalledWith('/chat'));
  });

  it('does not follow ?next to another site', async () => {
    navigation.searchParams = new URLSearchParams('next=/%09/evil.example');
    fakeApi({ ...anonymous, 'POST /api/auth/sign-in/email': { status: 200, body: { token: 't', user } } });
    renderWithSession(<AuthForm mode="sign-in" />);
    await userEvent.type(screen.getByLabelText('Email'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'pw');
    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(navigation.router.replace).toHaveBeenCalledWith('/tasks'));
  });

  it('shows the reason when credentials are wrong, and focuses it', async () => {
    fakeApi({
      ...anonymous,
      'POST /api/auth/sign-in/email': { status: 401, body: { detail: 'Invalid email or password' } },
    });
    renderWithSession(<AuthForm mode="sign-in" />);
    await userEvent.type(screen.getByLabelText('Email'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'wrong');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Invalid email or password');
    expect(alert).toHaveFocus();
    expect(navigation.router.replace).not.toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeEnabled();
  });

  it('says the server is unavailable when the backend is down (proxy 502) or unreachable', async () => {
    const api = fakeApi({
      ...anonymous,
      'POST /api/auth/sign-in/email': { status: 502, body: { detail: 'The server is unavailable right now.' } },
    });
    renderWithSession(<AuthForm mode="sign-in" />);
    await userEvent.type(screen.getByLabelText('Email'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'pw');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(/server is unavailable/i);

    api.routes['POST /api/auth/sign-in/email'] = unreachable;
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(/cannot reach the server/i);
  });

  it('explains an expired session', async () => {
    navigation.searchParams = new URLSearchParams('expired=1');
    const api = fakeApi(anonymous);
    renderWithSession(<AuthForm mode="sign-in" />);
    expect(screen.getByRole('status')).toHaveTextContent('Your session has expired. Please sign in again.');
    // The server read the session for this page: the browser asks nothing on load.
    await act(() => Promise.resolve());
    expect(api.fetch).not.toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeEnabled();
  });
});

describe('sign-up form', () => {
  it('creates the account and signs in', async () => {
    const api = fakeApi({ ...anonymous, 'POST /api/auth/sign-up/email': { status: 200, body: { token: 't', user } } });
    renderWithSession(<AuthForm mode="sign-up" />);
    await userEvent.type(screen.getByLabelText('Name'), 'Ada');
    await userEvent.type(screen.getByLabelText('Email'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'long enough pw');
    await userEvent.click(screen.getByRole('button', { name: 'Sign up' }));

    await waitFor(() => expect(navigation.router.replace).toHaveBeenCalledWith('/tasks'));
    expect(api.calls.at(-1)?.body).toEqual({ name: 'Ada', email: 'ada@example.com', password: 'long enough pw' });
  });

  it('shows validation problems next to the field they concern', async () => {
    fakeApi({
      ...anonymous,
      'POST /api/auth/sign-up/email': {
        status: 422,
        body: { detail: [{ loc: ['body', 'password'], msg: 'Password is too short', type: 'too_short' }] },
      },
    });
    renderWithSession(<AuthForm mode="sign-up" />);
    await userEvent.type(screen.getByLabelText('Name'), 'Ada');
    await userEvent.type(screen.getByLabelText('Email'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'short123');
    await userEvent.click(screen.getByRole('button', { name: 'Sign up' }));

    const password = screen.getByLabelText('Password');
    await waitFor(() => expect(password).toHaveAttribute('aria-invalid', 'true'));
    expect(password).toHaveAccessibleDescription('Password is too short');
  });
});
