'use client';

import { useRouter } from 'next/navigation';
import { useTransition } from 'react';
import buttons from '../button.module.css';
import styles from './shell.module.css';

/** The signed-in pages when the server could not read the session (backend down): say so, and offer to retry. */
export function SessionUnavailable({ message }: { message: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <div role="alert" className={styles.notice}>
      <p>{message}</p>
      <button
        type="button"
        className={buttons.button}
        disabled={pending}
        onClick={() => startTransition(() => router.refresh())}
      >
        {pending ? 'Trying again…' : 'Try again'}
      </button>
    </div>
  );
}
