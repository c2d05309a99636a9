import { LIMITS } from '@todo-stack/shared';

/**
 * What the chat page shows, all of it in the URL: the open conversation (`?conversation=12`), how many conversations
 * of the history list (`&conversations=40`, "Show more") and how many of the newest messages of the open one
 * (`&messages=100`, "Show earlier messages"). Both counts are bounded by what one account may store.
 */
export interface ChatView {
  conversation: number | null;
  conversations: number;
  messages: number;
}

export const DEFAULT_CHAT_VIEW: ChatView = {
  conversation: null,
  conversations: LIMITS.conversationPageDefault,
  messages: LIMITS.messagePageDefault,
};

type SearchParams = Record<string, string | string[] | undefined>;

function count(raw: string | string[] | undefined, fallback: number, max: number): number {
  if (typeof raw !== 'string' || !/^\d{1,7}$/.test(raw)) return fallback;
  return Math.min(Math.max(Number(raw), fallback), max);
}

export function parseChatView(params: SearchParams): ChatView {
  const id = params['conversation'];
  const conversation = typeof id === 'string' && /^[1-9]\d{0,15}$/.test(id) ? Number(id) : null;
  return {
    conversation: conversation !== null && conversation <= LIMITS.maxId ? conversation : null,
    conversations: count(params['conversations'], DEFAULT_CHAT_VIEW.conversations, LIMITS.conversationsPerUser),
    messages: count(params['messages'], DEFAULT_CHAT_VIEW.messages, LIMITS.messagesPerConversation),
  };
}

/** The URL of a view; defaults are left out, so a fresh chat is `/chat`. */
export function chatHref(view: ChatView): string {
  const params = new URLSearchParams();
  if (view.conversation !== null) params.set('conversation', String(view.conversation));
  if (view.conversations !== DEFAULT_CHAT_VIEW.conversations) params.set('conversations', String(view.conversations));
  if (view.conversation !== null && view.messages !== DEFAULT_CHAT_VIEW.messages) {
    params.set('messages', String(view.messages));
  }
  return params.size > 0 ? `/chat?${params}` : '/chat';
}
