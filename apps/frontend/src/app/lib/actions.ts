'use server';

/**
 * Every write the UI makes but the auth calls (docs/architecture.md says why those keep the /api forwarder): Server
 * Actions that call the backend as the user of the request (`server-backend.ts`: their cookies, their address as the
 * only X-Forwarded-For entry), then revalidate the pages whose data changed, so the same answer carries the new
 * server render. Next checks that an action's Origin is this host before running it. Failures come back as
 * `ActionResult`s, never as thrown errors: a message for the user, field problems, or "the session expired".
 */
import { LIMITS } from '@todo-stack/shared';
import { revalidatePath } from 'next/cache';
import {
  failure,
  parseId,
  parseTaskForm,
  taskFormValues,
  type ActionResult,
  type Failure,
  type TaskFormState,
} from './action-state';
import { readSession } from './data';
import { backendForRequest } from './server-backend';

type Backend = Awaited<ReturnType<typeof backendForRequest>>;

const BAD_REQUEST: Failure = { status: 'failed', message: 'That request was not understood.', fields: {} };

/** Runs one change as the signed-in user; `done` says what to announce, from the backend's answer. */
async function change<T>(
  write: (backend: Backend, user: string) => Promise<T>,
  done: (result: T) => string,
  paths: string[],
): Promise<ActionResult> {
  const session = await readSession();
  if (session.status === 'anonymous') return { status: 'expired' };
  if (session.status === 'error') return { status: 'failed', message: session.message, fields: {} };
  try {
    const result = await write(await backendForRequest(), session.user.id);
    for (const path of paths) revalidatePath(path);
    return { status: 'done', message: done(result) };
  } catch (error) {
    return failure(error);
  }
}

/** The result of a task form: on failure, what was typed goes back with it (the form is reset after an action). */
function withValues(result: ActionResult, form: FormData): TaskFormState {
  return result.status === 'failed' ? { ...result, values: taskFormValues(form) } : result;
}

export async function createTask(_previous: TaskFormState, form: FormData): Promise<TaskFormState> {
  const parsed = parseTaskForm(form);
  if (!parsed.ok) return withValues({ status: 'failed', message: null, fields: parsed.fields }, form);
  const result = await change(
    (backend, user) => backend.tasks.create(user, parsed.task),
    (task) => `Added “${task.title}”.`,
    ['/tasks'],
  );
  return withValues(result, form);
}

export async function updateTask(_previous: TaskFormState, form: FormData): Promise<TaskFormState> {
  const id = parseId(form.get('id'));
  if (id === null) return withValues(BAD_REQUEST, form);
  const parsed = parseTaskForm(form);
  if (!parsed.ok) return withValues({ status: 'failed', message: null, fields: parsed.fields }, form);
  const result = await change(
    (backend, user) => backend.tasks.update(user, id, parsed.task),
    (task) => `Saved “${task.title}”.`,
    ['/tasks'],
  );
  return withValues(result, form);
}

export async function toggleTask(taskId: number): Promise<ActionResult> {
  const id = parseId(taskId);
  if (id === null) return BAD_REQUEST;
  return change(
    (backend, user) => backend.tasks.toggle(user, id),
    (task) => (task.completed ? `Completed “${task.title}”.` : `Marked “${task.title}” as pending.`),
    ['/tasks'],
  );
}

export async function deleteTask(taskId: number): Promise<ActionResult> {
  const id = parseId(taskId);
  if (id === null) return BAD_REQUEST;
  // The backend answers 204 without the task: the UI, which shows it, names it in its announcement.
  return change(
    (backend, user) => backend.tasks.remove(user, id),
    () => 'Task deleted.',
    ['/tasks'],
  );
}

export type ChatResult = { status: 'sent'; conversationId: number } | Exclude<ActionResult, { status: 'done' }>;

/** One chat turn. The agent may have changed tasks too, so both pages are revalidated. */
export async function sendChatMessage(input: { conversationId: number | null; message: string }): Promise<ChatResult> {
  const message = typeof input?.message === 'string' ? input.message.trim() : '';
  const conversationId = input?.conversationId == null ? null : parseId(input.conversationId);
  if (!message || message.length > LIMITS.chatMessage || (input.conversationId != null && conversationId === null)) {
    return BAD_REQUEST;
  }
  let sent = 0;
  const result = await change(
    async (backend, user) => {
      const answer = await backend.chat.send(user, {
        message,
        ...(conversationId ? { conversation_id: conversationId } : {}),
      });
      sent = answer.conversation_id;
      return answer;
    },
    (answer) => answer.response,
    ['/chat', '/tasks'],
  );
  return result.status === 'done' ? { status: 'sent', conversationId: sent } : result;
}

export async function deleteConversation(conversationId: number): Promise<ActionResult> {
  const id = parseId(conversationId);
  if (id === null) return BAD_REQUEST;
  return change(
    (backend, user) => backend.chat.removeConversation(user, id),
    () => 'Conversation deleted.',
    ['/chat'],
  );
}
