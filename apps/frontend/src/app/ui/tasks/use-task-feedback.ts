'use client';

import { useCallback, useState } from 'react';
import type { ActionResult } from '@/app/lib/action-state';
import { useSession } from '@/app/lib/session';

/**
 * What the task board says about the changes made on it: a status line for assistive technology after each change,
 * one error for the page, and an expired session handed to the session (which sends the user to sign in).
 */
export function useTaskFeedback() {
  const { expire } = useSession();
  const [announcement, setAnnouncement] = useState('');
  const [error, setError] = useState<string | null>(null);

  /** A change starts: the last error no longer applies. */
  const begin = useCallback(() => setError(null), []);

  /** A change ended; `announce` replaces the action's own sentence (it may not know the task's title). */
  const report = useCallback(
    (result: ActionResult, announce?: string) => {
      if (result.status === 'expired') expire();
      else if (result.status === 'done') {
        setError(null);
        setAnnouncement(announce ?? result.message);
      } else setError(result.message);
    },
    [expire],
  );

  return { announcement, error, begin, report };
}

export type TaskFeedback = ReturnType<typeof useTaskFeedback>;
