'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useState } from 'react';
import { useSession } from '@/app/lib/session';
import alerts from '../alert.module.css';
import buttons from '../button.module.css';
import styles from './shell.module.css';

const LINKS = [
  { href: '/tasks', label: 'Tasks' },
  { href: '/chat', label: 'Chat' },
];

export function Header() {
  const { state, signOut } = useSession();
  const pathname = usePathname();
  const [signingOut, setSigningOut] = useState(false);
  const [signOutError, setSignOutError] = useState<string | null>(null);

  async function onSignOut() {
    setSigningOut(true);
    setSignOutError(null);
    const problem = await signOut();
    // On success the session is gone and this header shows the signed-out state; otherwise say what went wrong.
    setSignOutError(problem);
    setSigningOut(false);
  }

  return (
    <header className={styles.header}>
      <Link href="/tasks" className={styles.brand}>
        Todo Stack
      </Link>
      {state.status === 'authenticated' ? (
        <>
          <nav aria-label="Main" className={styles.nav}>
            {LINKS.map((link) => (
              <Link
                key={link.href}
                href={link.href}
                className={styles.navLink}
                aria-current={pathname?.startsWith(link.href) ? 'page' : undefined}
              >
                {link.label}
              </Link>
            ))}
          </nav>
          <div className={styles.account}>
            <span className={styles.muted} title={state.user.email}>
              {state.user.name}
            </span>
            <button
              type="button"
              className={`${buttons.button} ${buttons.secondary}`}
              disabled={signingOut}
              onClick={() => void onSignOut()}
            >
              {signingOut ? 'Signing out…' : 'Sign out'}
            </button>
          </div>
          {signOutError ? (
            <p role="alert" className={`${alerts.error} ${styles.signOutError}`}>
              {signOutError}
            </p>
          ) : null}
        </>
      ) : null}
    </header>
  );
}
