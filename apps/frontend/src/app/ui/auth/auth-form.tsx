'use client';

import { LIMITS } from '@todo-stack/shared';
import Link from 'next/link';
import { useId } from 'react';
import buttons from '../button.module.css';
import { AuthField } from './auth-field';
import styles from './auth.module.css';
import { useAuthForm, type AuthMode } from './use-auth-form';

/** The sign-in and sign-up page's form, its notices and the link to the other one. */
export function AuthForm({ mode }: { mode: AuthMode }) {
  const id = useId();
  const { notice, error, errorRef, fields, pending, onSubmit } = useAuthForm(mode);
  const signUp = mode === 'sign-up';
  return (
    <section className={styles.card} aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{signUp ? 'Create your account' : 'Sign in'}</h1>
      {notice ? (
        <p role="status" className={styles.info}>
          {notice}
        </p>
      ) : null}
      {error ? (
        <div role="alert" ref={errorRef} tabIndex={-1} className={styles.error}>
          {error}
        </div>
      ) : null}
      <form onSubmit={onSubmit} className={styles.form} aria-busy={pending}>
        {signUp ? (
          <AuthField
            id={`${id}-name`}
            name="name"
            label="Name"
            autoComplete="name"
            required
            maxLength={LIMITS.userName}
            error={fields['name']}
          />
        ) : null}
        <AuthField
          id={`${id}-email`}
          name="email"
          label="Email"
          type="email"
          autoComplete="email"
          required
          maxLength={LIMITS.email}
          error={fields['email']}
        />
        <AuthField
          id={`${id}-password`}
          name="password"
          label="Password"
          type="password"
          autoComplete={signUp ? 'new-password' : 'current-password'}
          required
          minLength={signUp ? LIMITS.passwordMin : 1}
          maxLength={LIMITS.passwordMax}
          error={fields['password']}
          hint={signUp ? (fields['password'] ?? `At least ${LIMITS.passwordMin} characters.`) : undefined}
        />
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
