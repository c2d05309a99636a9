import { and, count, desc, eq, getTableColumns, sql } from 'drizzle-orm';
import {
  LIMITS,
  type Conversation,
  type ConversationList,
  type ConversationQuery,
  type ConversationSummary,
  type Message,
  type MessageQuery,
  type ToolCall,
} from '@todo-stack/shared';
import { queryRows, type AppDb } from '../db/client.js';
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
 * The user already keeps `LIMITS.conversationsPerUser` conversations, or the conversation holds
 * `LIMITS.messagesPerConversation` messages. 409 like the task cap: the request is valid, the history is full.
 */
class HistoryLimitError extends Error {
  readonly statusCode = 409;
  constructor(message: string) {
    super(message);
    this.name = 'HistoryLimitError';
  }
}

/** What is stored of a reply: its text up to `LIMITS.chatReply` characters, with a marker where it was cut. */
function boundedReply(text: string): string {
  if (text.length <= LIMITS.chatReply) return text;
  const marker = ' […reply shortened]';
  return text.slice(0, LIMITS.chatReply - marker.length) + marker;
}

/** A value too large to store whole: the start of its JSON, and how long the whole was. */
interface Truncated {
  truncated: true;
  preview: string;
  length: number;
}

/** `value` when its JSON fits in `LIMITS.storedToolJson` characters, else a bounded preview of it. */
function boundedJson<T>(value: T): T | Truncated {
  const json = JSON.stringify(value) ?? 'null';
  if (json.length <= LIMITS.storedToolJson) return value;
  return { truncated: true, preview: json.slice(0, LIMITS.storedToolJson - 100), length: json.length };
}

/** A tool call as it is stored and answered: arguments and result each bounded (see `boundedJson`). */
function boundedToolCall(call: ToolCall): ToolCall {
  return {
    tool: call.tool.slice(0, 100),
    arguments: boundedJson(call.arguments) as ToolCall['arguments'],
    result: boundedJson(call.result),
  };
}

/**
 * Conversations and their messages, always scoped by user: another user's conversation reads as missing.
 * Messages are ordered by id (insertion order), which is stable even when timestamps tie.
 */
export function createConversationsRepository(db: AppDb) {
  const owned = (userId: string, id: number) => and(eq(conversations.userId, userId), eq(conversations.id, id));
  const touch = (tx: AppDb, conversationId: number) =>
    tx
      .update(conversations)
      .set({ updatedAt: sql`now()` })
      .where(eq(conversations.id, conversationId));

  return {
    /** One page of the user's conversations, most recently active first, and how many there are in all. */
    async list(userId: string, query: ConversationQuery = {}): Promise<ConversationList> {
      const offset = query.offset ?? 0;
      const rows = await db
        .select({ ...getTableColumns(conversations), total: sql<number>`count(*) over ()`.mapWith(Number) })
        .from(conversations)
        .where(eq(conversations.userId, userId))
        .orderBy(desc(conversations.updatedAt), desc(conversations.id))
        .limit(Math.min(query.limit ?? LIMITS.conversationPageDefault, LIMITS.conversationPageMax))
        .offset(offset);
      const total =
        rows[0]?.total ??
        (offset === 0
          ? 0
          : ((await db.select({ total: count() }).from(conversations).where(eq(conversations.userId, userId)))[0]
              ?.total ?? 0));
      return { conversations: rows.map(toSummary), total };
    },

    async find(userId: string, id: number): Promise<ConversationSummary | undefined> {
      const [row] = await db.select().from(conversations).where(owned(userId, id));
      return row && toSummary(row);
    },

    /**
     * A conversation with one page of its messages: `offset` counts back from the newest message, and the page is
     * oldest first. One indexed query for the page (with the total as a window count), however long the history.
     */
    async get(userId: string, id: number, query: MessageQuery = {}): Promise<Conversation | undefined> {
      const [row] = await db.select().from(conversations).where(owned(userId, id));
      if (!row) return undefined;
      const offset = query.offset ?? 0;
      const rows = await db
        .select({ ...getTableColumns(messages), total: sql<number>`count(*) over ()`.mapWith(Number) })
        .from(messages)
        .where(eq(messages.conversationId, id))
        .orderBy(desc(messages.id))
        .limit(Math.min(query.limit ?? LIMITS.messagePageDefault, LIMITS.messagePageMax))
        .offset(offset);
      const total =
        rows[0]?.total ??
        (offset === 0
          ? 0
          : ((await db.select({ total: count() }).from(messages).where(eq(messages.conversationId, id)))[0]?.total ??
            0));
      return { ...toSummary(row), messages: rows.reverse().map(toMessage), total };
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

    /**
     * A new conversation with its first (user) message, in one transaction; refused once the user keeps
     * `LIMITS.conversationsPerUser` conversations (checked in the insert, as the task cap is: requests racing at
     * the boundary can each see room).
     */
    async start(userId: string, content: string): Promise<{ conversationId: number; message: Message }> {
      return db.transaction(async (tx) => {
        const [conversation] = await queryRows<{ id: number }>(
          tx,
          sql`
          insert into ${conversations} (user_id, title)
          select ${userId}, ${conversationTitle(content)}
          where (select count(*) from ${conversations} where ${conversations.userId} = ${userId})
            < ${LIMITS.conversationsPerUser}
          returning id`,
        );
        if (!conversation)
          throw new HistoryLimitError(
            `Conversation limit reached: you can keep up to ${LIMITS.conversationsPerUser} conversations. ` +
              'Delete one to start another.',
          );
        const [row] = await tx
          .insert(messages)
          .values({ conversationId: conversation.id, role: 'user', content })
          .returning();
        return { conversationId: conversation.id, message: toMessage(row as MessageRow) };
      });
    },

    /**
     * Appends a message and marks the conversation as active now. A user message is stored only while the
     * conversation has room for it and the reply to come (`LIMITS.messagesPerConversation`, counted in the same
     * transaction: turns racing at the boundary can each see room);
     * a reply always is, its text and tool calls bounded (`boundedReply`, `boundedToolCall`).
     */
    async append(
      conversationId: number,
      role: Message['role'],
      content: string,
      toolCalls: ToolCall[] = [],
    ): Promise<Message> {
      return db.transaction(async (tx) => {
        const values = {
          conversationId,
          role,
          content: role === 'assistant' ? boundedReply(content) : content,
          toolCalls: toolCalls.map(boundedToolCall),
        };
        if (role === 'user') {
          const [stored] = await tx
            .select({ n: count() })
            .from(messages)
            .where(eq(messages.conversationId, conversationId));
          if ((stored?.n ?? 0) >= LIMITS.messagesPerConversation - 1)
            throw new HistoryLimitError(
              `This conversation is full: it holds up to ${LIMITS.messagesPerConversation} messages. ` +
                'Start a new conversation to go on.',
            );
        }
        const [row] = await tx.insert(messages).values(values).returning();
        await touch(tx, conversationId);
        return toMessage(row as MessageRow);
      });
    },

    /** Deletes a conversation and its messages; false when the user has none by that id. */
    async remove(userId: string, id: number): Promise<boolean> {
      const rows = await db.delete(conversations).where(owned(userId, id)).returning({ id: conversations.id });
      return rows.length > 0;
    },
  };
}

export type ConversationsRepository = ReturnType<typeof createConversationsRepository>;
