import type { Message } from '@todo-stack/shared';

/** A server read's data, or the sentence to show instead (the page still renders, with a way to try again). */
export type Read<T> = { ok: true; data: T } | { ok: false; message: string };

/** An open conversation: its newest messages (oldest first) and how many it has in all. */
export interface OpenConversation {
  id: number;
  title: string;
  messages: Message[];
  total: number;
}
