'use client';

import { usePathname, useRouter } from 'next/navigation';
import { useEffect, type ReactNode } from 'react';
import { signInPath } from '@/app/lib/next-path';
import { useSession } from '@/app/lib/session';

/**
 * The browser's half of the signed-in gate. The server already let the user in (proxy + signed-in layout); this
 * follows the session afterwards: when it ends here (sign-out, or a 401 from any call), the page content goes and
 * the user is sent to the sign-in page with the reason.
 */
export function SignedInOnly({ children }: { children: ReactNode }) {
  const { state } = useSession();
  const router = useRouter();
  const pathname = usePathname();

  const reason = state.status === 'anonymous' ? state.reason : undefined;
  useEffect(() => {
    if (state.status === 'anonymous') router.replace(signInPath(reason, pathname ?? undefined));
  }, [state.status, reason, router, pathname]);

  return state.status === 'authenticated' ? <>{children}</> : null;
}
