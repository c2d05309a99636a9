'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useSession } from '@/app/lib/session';
import buttons from '../button.module.css';
import styles from './shell.module.css';

const LINKS = [
  { href: '/tasks', label: 'Tasks' },
  { href: '/chat', label: 'Chat' },
];

export function Header() {
  const { state, signOut } = useSession();
  const pathname = usePathname();

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
            <button type="button" className={`${buttons.button} ${buttons.secondary}`} onClick={() => void signOut()}>
              Sign out
            </button>
          </div>
        </>
      ) : null}
    </header>
  );
}
