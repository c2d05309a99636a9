import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { Conversation, ConversationSummary, Message, ToolCall } from '@todo-stack/shared';
import type { AppDb } from '../db/client.js';
import { conversations, messages } from '../db/schema.js';

type ConversationRow = typeof conversations.$inferSelect;
type MessageRow = typeof messages.$inferSelect;

const TITLE_LENGTH = 80;

/** The list shows the first user message, on one line and shortened. */
function conversationTitle(message: string): string {
  const line = message.replace(/\s+/g, ' ').trim();
  return line.length > TITLE_LENGTH ? `${line.slice(0, TITLE_LENGTH - 1).trimEnd()}…` : line;
}

const toSummary = (row: ConversationRow): ConversationSummary => ({
  id: row.id,
  title: row.title,
  created_at: row.createdAt.toISOString(),
  updated_at: row.updatedAt.toISOString(),
});

const toMessage = (row: MessageRow): Message => ({
  id: row.id,
  role: row.role,
  content: row.content,
  tool_calls: row.toolCalls,
  created_at: row.createdAt.toISOString(),
});

/**
 * Conversations and their messages, always scoped by user: another user's conversation reads as missing.
 * Messages are ordered by id (insertion order), which is stable even when timestamps tie.
 */
export function createConversationsRepository(db: AppDb) {
  const owned = (userId: string, id: number) => and(eq(conversations.userId, userId), eq(conversations.id, id));

  return {
    async list(userId: string): Promise<ConversationSummary[]> {
      const rows = await db
        .select()
        .from(conversations)
        .where(eq(conversations.userId, userId))
        .orderBy(desc(conversations.updatedAt), desc(conversations.id));
      return rows.map(toSummary);
    },

    async find(userId: string, id: number): Promise<ConversationSummary | undefined> {
      const [row] = await db.select().from(conversations).where(owned(userId, id));
      return row && toSummary(row);
    },

    async get(userId: string, id: number): Promise<Conversation | undefined> {
      const [row] = await db.select().from(conversations).where(owned(userId, id));
      if (!row) return undefined;
      const rows = await db.select().from(messages).where(eq(messages.conversationId, id)).orderBy(asc(messages.id));
      return { ...toSummary(row), messages: rows.map(toMessage) };
    },

    /**
     * The last `limit` messages, oldest first, with only what the agent reads (role and text): one indexed
     * query however long the conversation has grown, and no tool-call payloads loaded for nothing.
     */
    async recentHistory(conversationId: number, limit: number): Promise<Pick<Message, 'role' | 'content'>[]> {
      const rows = await db
        .select({ role: messages.role, content: messages.content })
        .from(messages)
        .where(eq(messages.conversationId, conversationId))
        .orderBy(desc(messages.id))
        .limit(limit);
      return rows.reverse();
    },

    /** A new conversation with its first (user) message, in one transaction. */
    async start(userId: string, content: string): Promise<{ conversationId: number; message: Message }> {
      return db.transaction(async (tx) => {
        const [conversation] = await tx
          .insert(conversations)
          .values({ userId, title: conversationTitle(content) })
          .returning();
        const id = (conversation as ConversationRow).id;
        const [row] = await tx.insert(messages).values({ conversationId: id, role: 'user', content }).returning();
        return { conversationId: id, message: toMessage(row as MessageRow) };
      });
    },

    /** Appends a message and marks the conversation as active now. */
    async append(
      conversationId: number,
      role: Message['role'],
      content: string,
      toolCalls: ToolCall[] = [],
    ): Promise<Message> {
      return db.transaction(async (tx) => {
        const [row] = await tx.insert(messages).values({ conversationId, role, content, toolCalls }).returning();
        await tx
          .update(conversations)
          .set({ updatedAt: sql`now()` })
          .where(eq(conversations.id, conversationId));
        return toMessage(row as MessageRow);
      });
    },
  };
}

export type ConversationsRepository = ReturnType<typeof createConversationsRepository>;
