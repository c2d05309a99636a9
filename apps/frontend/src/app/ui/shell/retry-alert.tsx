'use client';

import { useRouter } from 'next/navigation';
import { useTransition } from 'react';
import buttons from '../button.module.css';

/** A read the server could not make (backend down): what went wrong, and a button that renders the page again. */
export function RetryAlert({ message, className, small }: { message: string; className?: string; small?: boolean }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <div role="alert" className={className}>
      <p>{message}</p>
      <button
        type="button"
        className={`${buttons.button} ${buttons.secondary}${small ? ` ${buttons.small}` : ''}`}
        disabled={pending}
        onClick={() => startTransition(() => router.refresh())}
      >
        {pending ? 'Trying again…' : 'Retry'}
      </button>
    </div>
  );
}
