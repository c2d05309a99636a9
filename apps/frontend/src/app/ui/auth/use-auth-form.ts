'use client';

import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, errorMessage, fieldErrors } from '@/app/lib/api';
import { safeNextPath } from '@/app/lib/next-path';
import { useSession } from '@/app/lib/session';

export type AuthMode = 'sign-in' | 'sign-up';

/** Why the visitor is on the sign-in page, from the URL the app sent them to. */
function authNotice(params: URLSearchParams | null): string | null {
  if (params?.get('expired')) return 'Your session has expired. Please sign in again.';
  if (params?.get('signed-out')) return 'You have been signed out.';
  return null;
}

/** The credentials of a submitted form, trimmed where spaces cannot be meant (never the password). */
function credentials(form: FormData) {
  const value = (name: string) => {
    const entry = form.get(name);
    return typeof entry === 'string' ? entry : '';
  };
  return { email: value('email').trim(), password: value('password'), name: value('name').trim() };
}

/**
 * Signs in or up through the /api forwarder (Better Auth's own cookies come back to the browser as the backend set
 * them: docs/architecture.md), then goes on to `?next=` (this site's paths only). A refusal is shown with the
 * fields it names, and the message takes the focus.
 */
export function useAuthForm(mode: AuthMode) {
  const router = useRouter();
  const params = useSearchParams();
  const { signedIn } = useSession();
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [pending, setPending] = useState(false);
  const errorRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (error) errorRef.current?.focus();
  }, [error]);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const { email, password, name } = credentials(new FormData(event.currentTarget));
    setError(null);
    setFields({});
    setPending(true);
    try {
      const result =
        mode === 'sign-up'
          ? await api.auth.signUp({ email, password, name })
          : await api.auth.signIn({ email, password });
      signedIn(result.user);
      router.replace(safeNextPath(params?.get('next')));
    } catch (caught) {
      setFields(fieldErrors(caught));
      setError(errorMessage(caught));
      setPending(false);
    }
  }

  return { notice: authNotice(params), error, errorRef, fields, pending, onSubmit };
}
