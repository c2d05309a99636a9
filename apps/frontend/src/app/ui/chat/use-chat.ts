'use client';

import type { ConversationSummary, ToolCall } from '@todo-stack/shared';
import { useRouter } from 'next/navigation';
import { useOptimistic, useRef, useState, useTransition } from 'react';
import { UNREACHABLE, type ActionResult, type Failure } from '@/app/lib/action-state';
import { deleteConversation, sendChatMessage, type ChatResult } from '@/app/lib/actions';
import { chatHref, DEFAULT_CHAT_VIEW, type ChatView } from '@/app/lib/chat-view';
import type { OpenConversation, Read } from '@/app/lib/read';
import { useSession } from '@/app/lib/session';

export interface ChatMessage {
  key: string;
  role: 'user' | 'assistant';
  content: string;
  tool_calls: ToolCall[];
}

let localKey = 0;

/** The sentence for a failed action (a 422 names only fields: say those). */
function failureMessage(result: Failure): string {
  return result.message ?? (Object.values(result.fields).join(' ') || 'That message could not be sent.');
}

/**
 * The chat's writes and what the user sees of them. The conversation shown is the one the server read (the URL says
 * which); a message being sent is added to it at once (`useOptimistic`) and stays until the server's new render,
 * which the action's revalidation brings, holds it and the answer. A new conversation moves the URL to it. A message
 * that could not be sent goes back into the input, with the reason.
 */
export function useChat(view: ChatView, conversation: Read<OpenConversation> | null) {
  const router = useRouter();
  const { expire } = useSession();
  const stored: ChatMessage[] = conversation?.ok
    ? conversation.data.messages.map((m) => ({ ...m, key: `m-${m.id}` }))
    : [];
  const [messages, addSending] = useOptimistic(stored, (current, message: ChatMessage) => [...current, message]);
  const [sending, startSending] = useTransition();
  const [deleting, startDeleting] = useTransition();
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);

  /** Opens another view of the chat, as part of the running transition. */
  const go = (next: Partial<ChatView>) => router.replace(chatHref({ ...view, ...next }), { scroll: false });

  /** A write that did not happen: an expired session goes to sign in, anything else is said. */
  function failed(result: Exclude<ChatResult, { status: 'sent' }>) {
    if (result.status === 'expired') expire();
    else setError(failureMessage(result));
  }

  function send() {
    const text = draft.trim();
    if (!text || sending) return;
    setError(null);
    setDraft('');
    startSending(async () => {
      addSending({ key: `local-${++localKey}`, role: 'user', content: text, tool_calls: [] });
      let result: ChatResult;
      try {
        result = await sendChatMessage({ conversationId: view.conversation, message: text });
      } catch {
        result = UNREACHABLE;
      }
      if (result.status === 'sent') {
        if (result.conversationId !== view.conversation) {
          startSending(() => go({ conversation: result.conversationId, messages: DEFAULT_CHAT_VIEW.messages }));
        }
      } else {
        // Not sent: the text goes back to the input.
        failed(result);
        setDraft(text);
      }
      inputRef.current?.focus();
    });
  }

  function remove(item: ConversationSummary) {
    setError(null);
    startDeleting(async () => {
      let result: ActionResult;
      try {
        result = await deleteConversation(item.id);
      } catch {
        result = UNREACHABLE;
      }
      if (result.status !== 'done') failed(result);
      else if (item.id === view.conversation) startDeleting(() => go({ conversation: null }));
    });
  }

  return { messages, sending, deleting, draft, setDraft, error, send, remove, inputRef };
}
