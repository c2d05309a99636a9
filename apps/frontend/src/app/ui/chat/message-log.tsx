'use client';

import Link from 'next/link';
import { useEffect, useRef } from 'react';
import { chatHref, DEFAULT_CHAT_VIEW, type ChatView } from '@/app/lib/chat-view';
import buttons from '../button.module.css';
import styles from './chat.module.css';
import { ToolCalls } from './tool-calls';
import type { ChatMessage } from './use-chat';

interface MessageLogProps {
  view: ChatView;
  messages: ChatMessage[];
  /** Messages the open conversation has in all (more than shown: a link to earlier ones). */
  total: number;
  /** Why the open conversation could not be read, if it could not. */
  problem: string | null;
  sending: boolean;
}

/** The open conversation, newest at the bottom (kept in view), and the assistant's tools under each answer. */
export function MessageLog({ view, messages, total, problem, sending }: MessageLogProps) {
  const endRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    endRef.current?.scrollIntoView?.({ block: 'end' });
  }, [messages.length, sending]);

  return (
    <div className={styles.log} role="log" aria-label="Conversation" aria-busy={sending}>
      {problem ? (
        <p role="alert" className={styles.error}>
          {problem}
        </p>
      ) : null}
      {view.conversation !== null && total > view.messages ? (
        <Link
          href={chatHref({ ...view, messages: view.messages + DEFAULT_CHAT_VIEW.messages })}
          className={`${buttons.button} ${buttons.secondary} ${buttons.small}`}
          scroll={false}
        >
          Show earlier messages
        </Link>
      ) : null}
      {messages.length === 0 && !problem ? (
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
  );
}
