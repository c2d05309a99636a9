'use client';

import { useActionState, useEffect, useRef } from 'react';
import { IDLE, taskFormValues, UNREACHABLE, type ActionResult, type TaskFormState } from '@/app/lib/action-state';

type TaskFormAction = (previous: TaskFormState, form: FormData) => Promise<TaskFormState>;

/**
 * A task form bound to its Server Action (`createTask` or `updateTask`) through `useActionState`: the pending flag,
 * the field problems and, after a failure, what was typed (React resets a form after its action, to these values).
 * Every result is also passed to `onResult` once, for the board's status line and errors.
 */
export function useTaskForm(action: TaskFormAction, onResult: (result: ActionResult) => void) {
  const [state, formAction, pending] = useActionState(async (previous: TaskFormState, form: FormData) => {
    try {
      return await action(previous, form);
    } catch {
      // The action itself could not be reached (the frontend is down, or the network).
      return { ...UNREACHABLE, values: taskFormValues(form) } as TaskFormState;
    }
  }, IDLE);

  const report = useRef(onResult);
  useEffect(() => {
    report.current = onResult;
  });
  useEffect(() => {
    if (state.status !== 'idle') report.current(state);
  }, [state]);

  return {
    formAction,
    pending,
    fields: state.status === 'failed' ? state.fields : {},
    values: state.status === 'failed' ? state.values : undefined,
  };
}
