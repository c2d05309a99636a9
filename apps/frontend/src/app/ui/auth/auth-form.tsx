'use client';

import { LIMITS } from '@todo-stack/shared';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { api, errorMessage, fieldErrors } from '@/app/lib/api';
import { safeNextPath } from '@/app/lib/next-path';
import { useSession } from '@/app/lib/session';
import buttons from '../button.module.css';
import styles from './auth.module.css';

type Mode = 'sign-in' | 'sign-up';

function notice(params: URLSearchParams | null): string | null {
  if (params?.get('expired')) return 'Your session has expired. Please sign in again.';
  if (params?.get('signed-out')) return 'You have been signed out.';
  return null;
}

export function AuthForm({ mode }: { mode: Mode }) {
  const router = useRouter();
  const params = useSearchParams();
  const { signedIn } = useSession();
  const id = useId();
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [pending, setPending] = useState(false);
  const errorRef = useRef<HTMLDivElement>(null);
  const next = safeNextPath(params?.get('next'));
  const info = notice(params);
  const signUp = mode === 'sign-up';

  useEffect(() => {
    if (error) errorRef.current?.focus();
  }, [error]);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const email = String(data.get('email') ?? '').trim();
    const password = String(data.get('password') ?? '');
    const name = String(data.get('name') ?? '').trim();
    setError(null);
    setFields({});
    setPending(true);
    try {
      const result = signUp
        ? await api.auth.signUp({ email, password, name })
        : await api.auth.signIn({ email, password });
      signedIn(result.user);
      router.replace(next);
    } catch (caught) {
      setFields(fieldErrors(caught));
      setError(errorMessage(caught));
      setPending(false);
    }
  }

  const title = signUp ? 'Create your account' : 'Sign in';
  return (
    <section className={styles.card} aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{title}</h1>
      {info ? (
        <p role="status" className={styles.info}>
          {info}
        </p>
      ) : null}
      {error ? (
        <div role="alert" ref={errorRef} tabIndex={-1} className={styles.error}>
          {error}
        </div>
      ) : null}
      <form onSubmit={onSubmit} noValidate={false} className={styles.form} aria-busy={pending}>
        {signUp ? (
          <div className={styles.field}>
            <label htmlFor={`${id}-name`}>Name</label>
            <input
              id={`${id}-name`}
              name="name"
              autoComplete="name"
              required
              maxLength={LIMITS.userName}
              aria-invalid={fields['name'] ? true : undefined}
              aria-describedby={fields['name'] ? `${id}-name-error` : undefined}
            />
            {fields['name'] ? (
              <p id={`${id}-name-error`} className={styles.fieldError}>
                {fields['name']}
              </p>
            ) : null}
          </div>
        ) : null}
        <div className={styles.field}>
          <label htmlFor={`${id}-email`}>Email</label>
          <input
            id={`${id}-email`}
            name="email"
            type="email"
            autoComplete="email"
            required
            maxLength={LIMITS.email}
            aria-invalid={fields['email'] ? true : undefined}
            aria-describedby={fields['email'] ? `${id}-email-error` : undefined}
          />
          {fields['email'] ? (
            <p id={`${id}-email-error`} className={styles.fieldError}>
              {fields['email']}
            </p>
          ) : null}
        </div>
        <div className={styles.field}>
          <label htmlFor={`${id}-password`}>Password</label>
          <input
            id={`${id}-password`}
            name="password"
            type="password"
            autoComplete={signUp ? 'new-password' : 'current-password'}
            required
            minLength={signUp ? LIMITS.passwordMin : 1}
            maxLength={LIMITS.passwordMax}
            aria-invalid={fields['password'] ? true : undefined}
            aria-describedby={signUp ? `${id}-password-hint` : undefined}
          />
          {signUp ? (
            <p id={`${id}-password-hint`} className={styles.hint}>
              {fields['password'] ?? `At least ${LIMITS.passwordMin} characters.`}
            </p>
          ) : null}
        </div>
        <button type="submit" className={buttons.button} disabled={pending}>
          {pending ? (signUp ? 'Creating account…' : 'Signing in…') : signUp ? 'Sign up' : 'Sign in'}
        </button>
      </form>
      <p className={styles.switch}>
        {signUp ? (
          <>
            Already have an account? <Link href="/sign-in">Sign in</Link>
          </>
        ) : (
          <>
            New here? <Link href="/sign-up">Create an account</Link>
          </>
        )}
      </p>
    </section>
  );
}
