import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { SessionProvider } from './lib/session';
import { Header } from './ui/shell/header';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Todo Stack', template: '%s · Todo Stack' },
  description: 'Your tasks, and an assistant that manages them for you.',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <SessionProvider>
          <Header />
          <main id="main" tabIndex={-1}>
            {children}
          </main>
        </SessionProvider>
      </body>
    </html>
  );
}
