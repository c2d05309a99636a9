/**
 * What a Server Action (`actions.ts`) answers the UI, and the pure rules behind it: how form input is checked before
 * it goes to the backend and how a failed backend call becomes a message. Kept apart from `actions.ts`, whose
 * `'use server'` module may export only async functions.
 */
import { LIMITS, type CreateTask } from '@todo-stack/shared';
import { fieldErrors, isUnauthorized, serverErrorMessage } from './errors';

export type ActionResult =
  /** `message`: what to announce (an assistive-technology status line). */
  | { status: 'done'; message: string }
  /** `message`: for the whole page (null when every problem is shown next to its field in `fields`). */
  | { status: 'failed'; message: string | null; fields: Record<string, string> }
  /** No session, or it ended: the UI sends the user to sign in again (`<SignedInOnly>`). */
  | { status: 'expired' };

/** An action that did not change anything, and why. */
export type Failure = Extract<ActionResult, { status: 'failed' }>;

/** The state of a task form (`useActionState`): a result, with what was typed kept after a failure. */
export type TaskFormState =
  | { status: 'idle' }
  | Exclude<ActionResult, { status: 'failed' }>
  | (Failure & { values: { title: string; description: string } });

export const IDLE: TaskFormState = { status: 'idle' };

/** A failed backend call as the UI shows it: 401 → sign in again, 422 → next to the fields, else one sentence. */
export function failure(error: unknown): Exclude<ActionResult, { status: 'done' }> {
  if (isUnauthorized(error)) return { status: 'expired' };
  const fields = fieldErrors(error);
  if (Object.keys(fields).length > 0) return { status: 'failed', message: null, fields };
  return { status: 'failed', message: serverErrorMessage(error), fields: {} };
}

/** The browser's half: the action could not be reached at all (the frontend itself is down, or the network). */
export const UNREACHABLE: Failure = {
  status: 'failed',
  message: 'Cannot reach the server. Check your connection and try again.',
  fields: {},
};

function text(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
}

/** The typed values of a task form, for showing them again after a failure. */
export function taskFormValues(form: FormData): { title: string; description: string } {
  return { title: text(form, 'title'), description: text(form, 'description') };
}

/**
 * A task from a form: title required, both trimmed, an empty description is none. The lengths are the API's
 * (checked again by the backend); a problem is reported by field, as the backend's 422 is.
 */
export function parseTaskForm(
  form: FormData,
): { ok: true; task: CreateTask } | { ok: false; fields: Record<string, string> } {
  const { title, description } = taskFormValues(form);
  const fields: Record<string, string> = {};
  if (!title.trim()) fields['title'] = 'Enter a title.';
  else if (title.trim().length > LIMITS.taskTitle) fields['title'] = `At most ${LIMITS.taskTitle} characters.`;
  if (description.trim().length > LIMITS.taskDescription) {
    fields['description'] = `At most ${LIMITS.taskDescription} characters.`;
  }
  if (Object.keys(fields).length > 0) return { ok: false, fields };
  return { ok: true, task: { title: title.trim(), description: description.trim() || null } };
}

/** An id the client sent: a positive integer in the API's range, or null. */
export function parseId(value: unknown): number | null {
  const id = typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 1 && id <= LIMITS.maxId ? id : null;
}
