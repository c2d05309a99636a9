/**
 * Server-side reads from the backend, for server components (never imported by client code): every read the UI
 * makes happens here, as the user of the request (`server-backend.ts`), uncached, and the session read is shared by
 * every component of one render (React `cache`), so the root layout, the signed-in layout and a page ask once.
 */
import {
  LIMITS,
  type ConversationList,
  type ConversationSummary,
  type Message,
  type TaskList,
} from '@todo-stack/shared';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import { isUnauthorized, serverErrorMessage } from './errors';
import { isSessionCookie, REQUEST_PATH_HEADER } from './gate';
import { safeNextPath, signInPath } from './next-path';
import type { OpenConversation, Read } from './read';
import { backendForRequest, requestCookies } from './server-backend';
import type { SessionState } from './session';
import type { TaskView } from './task-view';

/**
 * Who is signed in. Without a session cookie the answer is known without asking the backend; with one that the
 * backend no longer accepts, the session has expired.
 */
export const readSession = cache(async (): Promise<SessionState> => {
  if (!(await requestCookies()).some(({ name }) => isSessionCookie(name))) return { status: 'anonymous' };
  try {
    const session = await (await backendForRequest()).auth.getSession();
    return session ? { status: 'authenticated', user: session.user } : { status: 'anonymous', reason: 'expired' };
  } catch (error) {
    if (isUnauthorized(error)) return { status: 'anonymous', reason: 'expired' };
    return { status: 'error', message: serverErrorMessage(error) };
  }
});

type Backend = Awaited<ReturnType<typeof backendForRequest>>;

/** The session ended between the layout's check and this read: to the sign-in page, then back here. */
async function expired(): Promise<never> {
  redirect(signInPath('expired', (await headers()).get(REQUEST_PATH_HEADER) ?? undefined));
}

/** A read as the signed-in user (the signed-in layout has already sent everyone else away). */
async function read<T>(load: (backend: Backend, user: string) => Promise<T>): Promise<Read<T>> {
  const session = await readSession();
  if (session.status === 'anonymous') return expired();
  if (session.status === 'error') return { ok: false, message: session.message };
  try {
    return { ok: true, data: await load(await backendForRequest(), session.user.id) };
  } catch (error) {
    if (isUnauthorized(error)) return expired();
    return { ok: false, message: serverErrorMessage(error) };
  }
}

/** One page of the user's tasks as the URL asks for it (status, sort, offset). */
export function readTasks(view: TaskView, pageSize: number = LIMITS.taskPageDefault): Promise<Read<TaskList>> {
  return read((backend, user) =>
    backend.tasks.list(user, { status: view.status, sort: view.sort, limit: pageSize, offset: view.offset }),
  );
}

/** The first `count` conversations, most recently active first (pages of the largest size the API allows). */
export function readConversations(count: number): Promise<Read<ConversationList>> {
  return read(async (backend, user) => {
    const conversations: ConversationSummary[] = [];
    let total = 0;
    do {
      const limit = Math.min(LIMITS.conversationPageMax, count - conversations.length);
      const page = await backend.chat.conversations(user, { limit, offset: conversations.length });
      total = page.total;
      conversations.push(...page.conversations);
      if (page.conversations.length < limit) break;
    } while (conversations.length < Math.min(count, total));
    return { conversations, total };
  });
}

/** A conversation with its newest `count` messages, oldest first. */
export function readConversation(id: number, count: number): Promise<Read<OpenConversation>> {
  return read(async (backend, user) => {
    // Offsets count back from the newest message; each page is oldest first.
    let messages: Message[] = [];
    let offset = 0;
    let conversation;
    do {
      const limit = Math.min(LIMITS.messagePageMax, count - offset);
      conversation = await backend.chat.conversation(user, id, { limit, offset });
      const known = new Set(messages.map((m) => m.id));
      messages = [...conversation.messages.filter((m) => !known.has(m.id)), ...messages];
      offset += limit;
      if (conversation.messages.length < limit) break;
    } while (offset < Math.min(count, conversation.total));
    return { id: conversation.id, title: conversation.title, messages, total: conversation.total };
  });
}

/** The sign-in and sign-up pages are for visitors: a signed-in user goes on to `?next=` (or the tasks) at once. */
export async function redirectWhenSignedIn(searchParams: Promise<Record<string, string | string[] | undefined>>) {
  if ((await readSession()).status !== 'authenticated') return;
  const { next } = await searchParams;
  redirect(safeNextPath(typeof next === 'string' ? next : undefined));
}
