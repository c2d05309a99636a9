'use client';

import type { ConversationList as Conversations } from '@todo-stack/shared';
import { useId } from 'react';
import type { ChatView } from '@/app/lib/chat-view';
import type { OpenConversation, Read } from '@/app/lib/read';
import styles from './chat.module.css';
import { Composer } from './composer';
import { ConversationList } from './conversation-list';
import { MessageLog } from './message-log';
import { useChat } from './use-chat';

interface ChatPanelProps {
  /** What the URL asks for: the open conversation and how much of the history and of it to show. */
  view: ChatView;
  /** The conversation list, read on the server. */
  history: Read<Conversations>;
  /** The open conversation, read on the server; null for a new one. */
  conversation: Read<OpenConversation> | null;
}

/** The chat page: the history beside the open conversation and the input. */
export function ChatPanel({ view, history, conversation }: ChatPanelProps) {
  const id = useId();
  const chat = useChat(view, conversation);
  return (
    <div className={styles.layout}>
      <ConversationList
        id={`${id}-history`}
        view={view}
        history={history}
        deleting={chat.deleting}
        onDelete={chat.remove}
      />
      <section className={styles.chat} aria-labelledby={`${id}-title`}>
        <h1 id={`${id}-title`}>Chat</h1>
        <MessageLog
          view={view}
          messages={chat.messages}
          total={conversation?.ok ? conversation.data.total : 0}
          problem={conversation && !conversation.ok ? conversation.message : null}
          sending={chat.sending}
        />
        {chat.error ? (
          <div role="alert" className={styles.error}>
            {chat.error}
          </div>
        ) : null}
        <Composer
          id={id}
          draft={chat.draft}
          onDraft={chat.setDraft}
          onSend={chat.send}
          sending={chat.sending}
          inputRef={chat.inputRef}
        />
      </section>
    </div>
  );
}
