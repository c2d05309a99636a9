import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { readSession } from '@/app/lib/data';
import { SessionProvider } from '@/app/lib/session';
import { Header } from '@/app/ui/shell/header';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Todo Stack', template: '%s · Todo Stack' },
  description: 'Your tasks, and an assistant that manages them for you.',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

/** Every page starts from the session as the server read it (header, gates and forms need no fetch on load). */
export default async function RootLayout({ children }: { children: ReactNode }) {
  const session = await readSession();
  return (
    <html lang="en">
      <body>
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <SessionProvider initial={session}>
          <Header />
          <main id="main" tabIndex={-1}>
            {children}
          </main>
        </SessionProvider>
      </body>
    </html>
  );
}
