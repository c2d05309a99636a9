import type { InputHTMLAttributes } from 'react';
import styles from './auth.module.css';

interface AuthFieldProps extends InputHTMLAttributes<HTMLInputElement> {
  id: string;
  name: string;
  label: string;
  /** The backend's problem with this field, if any. */
  error?: string | undefined;
  /** Shown under the input while there is no error (the password rule on sign-up). */
  hint?: string | undefined;
}

/** A labelled input with its problem or hint under it, tied to it for assistive technology. */
export function AuthField({ id, label, error, hint, ...input }: AuthFieldProps) {
  const note = error ?? hint;
  return (
    <div className={styles.field}>
      <label htmlFor={id}>{label}</label>
      <input
        {...input}
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={note ? `${id}-note` : undefined}
      />
      {note ? (
        <p id={`${id}-note`} className={error && !hint ? styles.fieldError : styles.hint}>
          {note}
        </p>
      ) : null}
    </div>
  );
}
