import type { ConversationList as Conversations, ConversationSummary } from '@todo-stack/shared';
import Link from 'next/link';
import { chatHref, DEFAULT_CHAT_VIEW, type ChatView } from '@/app/lib/chat-view';
import type { Read } from '@/app/lib/read';
import buttons from '../button.module.css';
import { RetryAlert } from '../shell/retry-alert';
import styles from './chat.module.css';

interface ConversationListProps {
  id: string;
  view: ChatView;
  history: Read<Conversations>;
  deleting: boolean;
  onDelete: (item: ConversationSummary) => void;
}

const titleOf = (item: ConversationSummary) => item.title || 'Untitled conversation';

/** The history: links to each conversation (most recently active first), its delete button, and "show more". */
export function ConversationList({ id, view, history, deleting, onDelete }: ConversationListProps) {
  return (
    <aside className={styles.sidebar} aria-labelledby={id}>
      <div className={styles.sidebarHeader}>
        <h2 id={id}>Conversations</h2>
        <Link href={chatHref({ ...view, conversation: null })} className={`${buttons.button} ${buttons.small}`}>
          New conversation
        </Link>
      </div>
      {!history.ok ? (
        <RetryAlert message={history.message} className={styles.error} small />
      ) : history.data.conversations.length === 0 ? (
        <p className={styles.muted}>No conversations yet.</p>
      ) : (
        <>
          <ul className={styles.history}>
            {history.data.conversations.map((item) => (
              <li key={item.id} className={styles.historyEntry}>
                <Link
                  href={chatHref({ ...view, conversation: item.id, messages: DEFAULT_CHAT_VIEW.messages })}
                  className={styles.historyItem}
                  aria-current={item.id === view.conversation ? 'page' : undefined}
                  scroll={false}
                >
                  <span className={styles.historyTitle}>{titleOf(item)}</span>
                  <time dateTime={item.updated_at} className={styles.muted}>
                    {new Date(item.updated_at).toLocaleString()}
                  </time>
                </Link>
                <button
                  type="button"
                  className={`${buttons.button} ${buttons.secondary} ${buttons.small}`}
                  aria-label={`Delete conversation “${titleOf(item)}”`}
                  disabled={deleting}
                  onClick={() => onDelete(item)}
                >
                  Delete
                </button>
              </li>
            ))}
          </ul>
          {history.data.conversations.length < history.data.total ? (
            <Link
              href={chatHref({ ...view, conversations: view.conversations + DEFAULT_CHAT_VIEW.conversations })}
              className={`${buttons.button} ${buttons.secondary} ${buttons.small}`}
              scroll={false}
            >
              Show more conversations ({history.data.total - history.data.conversations.length} more)
            </Link>
          ) : null}
        </>
      )}
    </aside>
  );
}
