'use client';

import { usePathname, useRouter } from 'next/navigation';
import { useEffect, type ReactNode } from 'react';
import { useSession } from '@/app/lib/session';
import buttons from '../button.module.css';
import styles from './shell.module.css';

/** Renders its children for a signed-in user; sends everyone else to the sign-in page. */
export function RequireUser({ children }: { children: ReactNode }) {
  const { state, refresh } = useSession();
  const router = useRouter();
  const pathname = usePathname();

  const reason = state.status === 'anonymous' ? state.reason : undefined;
  useEffect(() => {
    if (state.status !== 'anonymous') return;
    if (reason === 'signed-out') router.replace('/sign-in?signed-out=1');
    else {
      const expired = reason === 'expired' ? 'expired=1&' : '';
      router.replace(`/sign-in?${expired}next=${encodeURIComponent(pathname ?? '/tasks')}`);
    }
  }, [state.status, reason, router, pathname]);

  if (state.status === 'authenticated') return <>{children}</>;
  if (state.status === 'error') {
    return (
      <div role="alert" className={styles.notice}>
        <p>{state.message}</p>
        <button type="button" className={buttons.button} onClick={() => void refresh()}>
          Try again
        </button>
      </div>
    );
  }
  return (
    <p role="status" className={styles.muted}>
      Loading…
    </p>
  );
}
