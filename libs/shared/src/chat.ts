import Type, { type Static } from 'typebox';
import { Id, LIMITS, PageQuery, Text, Timestamp, UserId } from './common.js';

/** The MCP tools the agent may call, by name. */
export const TOOL_NAMES = ['add_task', 'list_tasks', 'complete_task', 'delete_task', 'update_task'] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

/** One tool the agent ran while answering: its name, the arguments it chose and what the tool returned. */
export const ToolCall = Type.Object({
  tool: Type.String(),
  arguments: Type.Record(Type.String(), Type.Unknown()),
  result: Type.Unknown(),
});
export type ToolCall = Static<typeof ToolCall>;

export const ChatRequest = Type.Object(
  {
    conversation_id: Type.Optional(Id),
    message: Text({ maxLength: LIMITS.chatMessage, description: 'What the user said (1-5000 characters)' }),
  },
  { additionalProperties: false },
);
export type ChatRequest = Static<typeof ChatRequest>;

export const ChatResponse = Type.Object({
  conversation_id: Type.Integer(),
  response: Type.String(),
  tool_calls: Type.Array(ToolCall),
});
export type ChatResponse = Static<typeof ChatResponse>;

export const MessageRole = Type.Enum(['user', 'assistant']);
export type MessageRole = Static<typeof MessageRole>;

export const Message = Type.Object({
  id: Type.Integer(),
  role: MessageRole,
  content: Type.String(),
  tool_calls: Type.Array(ToolCall),
  created_at: Timestamp,
});
export type Message = Static<typeof Message>;

export const ConversationSummary = Type.Object({
  id: Type.Integer(),
  /** The first user message, shortened: what the list shows. */
  title: Type.String(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type ConversationSummary = Static<typeof ConversationSummary>;

/** A page of the conversation list, most recently active first. */
export const ConversationQuery = PageQuery({
  default: LIMITS.conversationPageDefault,
  max: LIMITS.conversationPageMax,
  items: 'Conversations',
});
export type ConversationQuery = Static<typeof ConversationQuery>;

export const ConversationList = Type.Object({
  conversations: Type.Array(ConversationSummary),
  /** All the user's conversations, not only this page. */
  total: Type.Integer({ minimum: 0 }),
});
export type ConversationList = Static<typeof ConversationList>;

/**
 * A page of one conversation's messages. Pages count back from the newest message (offset 0 is the latest page, as
 * a chat shows it first); the messages within a page are oldest first.
 */
export const MessageQuery = PageQuery({
  default: LIMITS.messagePageDefault,
  max: LIMITS.messagePageMax,
  items: 'Messages',
  offsetFrom: 'counted back from the newest',
});
export type MessageQuery = Static<typeof MessageQuery>;

export const Conversation = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  created_at: Timestamp,
  updated_at: Timestamp,
  /** One page (see MessageQuery), oldest first. */
  messages: Type.Array(Message),
  /** All the conversation's messages, not only this page. */
  total: Type.Integer({ minimum: 0 }),
});
export type Conversation = Static<typeof Conversation>;

export const ConversationParams = Type.Object({ user_id: UserId, id: Id });
export type ConversationParams = Static<typeof ConversationParams>;

/**
 * A chat turn the assistant could not finish (provider rate limited, down or too slow: 503/502/504).
 * The user's message is stored all the same, in `conversation_id`, so the client can retry in place.
 */
export const ChatFailure = Type.Object({
  detail: Type.String(),
  conversation_id: Type.Optional(Type.Integer()),
});
export type ChatFailure = Static<typeof ChatFailure>;
