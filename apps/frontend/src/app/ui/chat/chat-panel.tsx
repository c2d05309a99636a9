'use client';

import { LIMITS, type ConversationSummary, type ToolCall } from '@todo-stack/shared';
import { useCallback, useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { api } from '@/app/lib/api';
import { useSession, useUser } from '@/app/lib/session';
import buttons from '../button.module.css';
import styles from './chat.module.css';
import { ToolCalls } from './tool-calls';

interface ChatMessage {
  key: string;
  role: 'user' | 'assistant';
  content: string;
  tool_calls: ToolCall[];
}

/** The conversation list as loaded so far: pages of it, most recently active first, and how many there are. */
type History =
  | { status: 'loading' }
  | { status: 'ready'; items: ConversationSummary[]; total: number }
  | { status: 'error'; message: string };

let localKey = 0;
const nextKey = () => `local-${++localKey}`;

export function ChatPanel() {
  const user = useUser();
  const { handleError } = useSession();
  const id = useId();
  const [history, setHistory] = useState<History>({ status: 'loading' });
  const [conversationId, setConversationId] = useState<number | null>(null);
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  /** The log holds the newest pages of the open conversation; true while older messages are left to load. */
  const [hasEarlier, setHasEarlier] = useState(false);
  const [loadingConversation, setLoadingConversation] = useState(false);
  const [loadingMore, setLoadingMore] = useState(false);
  const [draft, setDraft] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const endRef = useRef<HTMLDivElement>(null);

  // The first page of the history (after a turn too: the conversation just used moves to the top).
  const loadHistory = useCallback(async () => {
    try {
      const list = await api.chat.conversations(user.id);
      setHistory({ status: 'ready', items: list.conversations, total: list.total });
    } catch (caught) {
      const message = handleError(caught);
      if (message) setHistory({ status: 'error', message });
    }
  }, [user.id, handleError]);

  async function loadMoreHistory() {
    if (history.status !== 'ready') return;
    setLoadingMore(true);
    try {
      const list = await api.chat.conversations(user.id, { offset: history.items.length });
      setHistory((current) =>
        current.status === 'ready'
          ? { status: 'ready', items: [...current.items, ...list.conversations], total: list.total }
          : current,
      );
    } catch (caught) {
      const message = handleError(caught);
      if (message) setError(message);
    } finally {
      setLoadingMore(false);
    }
  }

  useEffect(() => {
    void loadHistory();
  }, [loadHistory]);

  useEffect(() => {
    endRef.current?.scrollIntoView?.({ block: 'end' });
  }, [messages, sending]);

  async function openConversation(idToOpen: number) {
    setError(null);
    setLoadingConversation(true);
    try {
      // The newest page; earlier ones on request ("Show earlier messages").
      const conversation = await api.chat.conversation(user.id, idToOpen);
      setConversationId(conversation.id);
      setMessages(conversation.messages.map((m) => ({ ...m, key: `m-${m.id}` })));
      setHasEarlier(conversation.total > conversation.messages.length);
      inputRef.current?.focus();
    } catch (caught) {
      const message = handleError(caught);
      if (message) setError(message);
    } finally {
      setLoadingConversation(false);
    }
  }

  async function loadEarlierMessages() {
    if (conversationId === null) return;
    setLoadingMore(true);
    try {
      // Offsets count back from the newest message, and everything in the log is stored by now.
      const offset = messages.length;
      const page = await api.chat.conversation(user.id, conversationId, { offset });
      setMessages((current) => {
        // A turn that failed after storing its message shifts the pages by one: never show a message twice.
        const shown = new Set(current.map((m) => m.key));
        const earlier = page.messages.map((m) => ({ ...m, key: `m-${m.id}` })).filter((m) => !shown.has(m.key));
        return [...earlier, ...current];
      });
      setHasEarlier(offset + page.messages.length < page.total);
    } catch (caught) {
      const message = handleError(caught);
      if (message) setError(message);
    } finally {
      setLoadingMore(false);
    }
  }

  async function deleteConversation(item: ConversationSummary) {
    setError(null);
    try {
      await api.chat.removeConversation(user.id, item.id);
      if (item.id === conversationId) newConversation();
      await loadHistory();
    } catch (caught) {
      const message = handleError(caught);
      if (message) setError(message);
    }
  }

  function newConversation() {
    setConversationId(null);
    setMessages([]);
    setHasEarlier(false);
    setError(null);
    setDraft('');
    inputRef.current?.focus();
  }

  async function send(event?: FormEvent) {
    event?.preventDefault();
    const text = draft.trim();
    if (!text || sending) return;
    setError(null);
    setSending(true);
    setDraft('');
    const pending: ChatMessage = { key: nextKey(), role: 'user', content: text, tool_calls: [] };
    setMessages((current) => [...current, pending]);
    try {
      const answer = await api.chat.send(user.id, {
        message: text,
        ...(conversationId ? { conversation_id: conversationId } : {}),
      });
      setConversationId(answer.conversation_id);
      setMessages((current) => [
        ...current,
        { key: nextKey(), role: 'assistant', content: answer.response, tool_calls: answer.tool_calls },
      ]);
      void loadHistory();
    } catch (caught) {
      // Not sent: take the message back out of the log and give the text back to the input.
      setMessages((current) => current.filter((m) => m.key !== pending.key));
      setDraft(text);
      const message = handleError(caught);
      if (message) setError(message);
    } finally {
      setSending(false);
      inputRef.current?.focus();
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    // Enter sends, Shift+Enter starts a new line.
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  }

  return (
    <div className={styles.layout}>
      <aside className={styles.sidebar} aria-labelledby={`${id}-history`}>
        <div className={styles.sidebarHeader}>
          <h2 id={`${id}-history`}>Conversations</h2>
          <button type="button" className={`${buttons.button} ${buttons.small}`} onClick={newConversation}>
            New conversation
          </button>
        </div>
        {history.status === 'loading' ? (
          <p role="status" className={styles.muted}>
            Loading conversations…
          </p>
        ) : history.status === 'error' ? (
          <div role="alert" className={styles.error}>
            <p>{history.message}</p>
            <button
              type="button"
              className={`${buttons.button} ${buttons.secondary} ${buttons.small}`}
              onClick={() => void loadHistory()}
            >
              Retry
            </button>
          </div>
        ) : history.items.length === 0 ? (
          <p className={styles.muted}>No conversations yet.</p>
        ) : (
          <>
            <ul className={styles.history}>
              {history.items.map((item) => (
                <li key={item.id} className={styles.historyEntry}>
                  <button
                    type="button"
                    className={styles.historyItem}
                    aria-current={item.id === conversationId ? 'true' : undefined}
                    onClick={() => void openConversation(item.id)}
                  >
                    <span className={styles.historyTitle}>{item.title || 'Untitled conversation'}</span>
                    <time dateTime={item.updated_at} className={styles.muted}>
                      {new Date(item.updated_at).toLocaleString()}
                    </time>
                  </button>
                  <button
                    type="button"
                    className={`${buttons.button} ${buttons.secondary} ${buttons.small}`}
                    aria-label={`Delete conversation “${item.title || 'Untitled conversation'}”`}
                    onClick={() => void deleteConversation(item)}
                  >
                    Delete
                  </button>
                </li>
              ))}
            </ul>
            {history.items.length < history.total ? (
              <button
                type="button"
                className={`${buttons.button} ${buttons.secondary} ${buttons.small}`}
                disabled={loadingMore}
                onClick={() => void loadMoreHistory()}
              >
                Show more conversations ({history.total - history.items.length} more)
              </button>
            ) : null}
          </>
        )}
      </aside>

      <section className={styles.chat} aria-labelledby={`${id}-title`}>
        <h1 id={`${id}-title`}>Chat</h1>
        <div className={styles.log} role="log" aria-label="Conversation" aria-busy={loadingConversation || sending}>
          {loadingConversation ? <p className={styles.muted}>Loading conversation…</p> : null}
          {!loadingConversation && hasEarlier ? (
            <button
              type="button"
              className={`${buttons.button} ${buttons.secondary} ${buttons.small}`}
              disabled={loadingMore}
              onClick={() => void loadEarlierMessages()}
            >
              Show earlier messages
            </button>
          ) : null}
          {!loadingConversation && messages.length === 0 ? (
            <p className={styles.muted}>
              Ask the assistant to manage your tasks, e.g. “Add a task to buy milk” or “What is still pending?”
            </p>
          ) : null}
          {messages.map((message) => (
            <article
              key={message.key}
              className={message.role === 'user' ? styles.userMessage : styles.assistantMessage}
              aria-label={message.role === 'user' ? 'You said' : 'Assistant said'}
            >
              <p className={styles.role}>{message.role === 'user' ? 'You' : 'Assistant'}</p>
              <p className={styles.content}>{message.content}</p>
              <ToolCalls calls={message.tool_calls} />
            </article>
          ))}
          {sending ? (
            <p role="status" className={styles.muted}>
              Assistant is thinking…
            </p>
          ) : null}
          <div ref={endRef} />
        </div>

        {error ? (
          <div role="alert" className={styles.error}>
            {error}
          </div>
        ) : null}

        <form className={styles.composer} onSubmit={send}>
          <label htmlFor={`${id}-message`} className="visually-hidden">
            Message
          </label>
          <textarea
            id={`${id}-message`}
            ref={inputRef}
            name="message"
            rows={2}
            value={draft}
            maxLength={LIMITS.chatMessage}
            placeholder="Message the assistant…"
            aria-describedby={`${id}-hint`}
            onChange={(event) => setDraft(event.target.value)}
            onKeyDown={onKeyDown}
          />
          <button type="submit" className={buttons.button} disabled={sending || !draft.trim()}>
            {sending ? 'Sending…' : 'Send'}
          </button>
          <p id={`${id}-hint`} className={styles.hint}>
            Enter sends, Shift+Enter adds a line.
          </p>
        </form>
      </section>
    </div>
  );
}
