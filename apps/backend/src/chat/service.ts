import type { ChatRequest, ChatResponse, ToolCall } from '@todo-stack/shared';
import type { TasksRepository } from '../tasks/tasks-repository.js';
import { openToolSession } from '../mcp/client.js';
import type { ToolCallContext } from '../mcp/server.js';
import type { ConversationsRepository } from './conversations-repository.js';
import { ProviderError, recordingTools, type ChatProvider, type HistoryMessage } from './provider.js';

/** How many earlier messages the agent sees: enough context, bounded cost. */
const HISTORY_LIMIT = 40;

export class ConversationNotFoundError extends Error {
  constructor() {
    super('Conversation not found');
    this.name = 'ConversationNotFoundError';
  }
}

/** The provider failed; the user's message is stored in `conversationId`, no assistant reply was written. */
export class ChatTurnError extends Error {
  constructor(
    readonly failure: ProviderError,
    readonly conversationId: number,
    readonly toolCalls: ToolCall[],
  ) {
    super(failure.message + describeDone(toolCalls));
    this.name = 'ChatTurnError';
  }
}

/** Tells people what already happened when the provider failed mid-turn, so nothing is silently half-done. */
function describeDone(calls: ToolCall[]): string {
  const changes = calls.filter((call) => call.tool !== 'list_tasks' && !(call.result as { error?: unknown })?.error);
  if (changes.length === 0) return '';
  const list = changes
    .map((call) => {
      const result = call.result as { task_id?: number; status?: string; title?: string };
      return `${result.status ?? call.tool} #${result.task_id ?? '?'} "${result.title ?? ''}"`;
    })
    .join(', ');
  return ` Before the failure these changes were made: ${list}.`;
}

/** Counts turns and tool calls (Prometheus when metrics are on); the service knows nothing of how. */
export interface ChatMetrics {
  turn(provider: string, outcome: 'ok' | 'error'): void;
  toolCall(tool: string, outcome: 'ok' | 'error'): void;
}

export interface ChatServiceDeps {
  conversations: ConversationsRepository;
  tasks: TasksRepository;
  provider: ChatProvider;
  metrics?: ChatMetrics;
}

/** A tool call failed when its result carries an `error` (the MCP tools answer errors as results). */
const toolOutcome = (call: ToolCall): 'ok' | 'error' =>
  (call.result as { error?: unknown } | null)?.error ? 'error' : 'ok';

/**
 * One chat turn, stateless: history comes from the database, the user's message is stored before the agent
 * runs (kept even if it fails), and the reply is stored with the tools it ran. Any replica can take the next turn.
 */
export function createChatService({ conversations, tasks, provider, metrics }: ChatServiceDeps) {
  return {
    provider: provider.name,

    async send(userId: string, request: ChatRequest, context: ToolCallContext): Promise<ChatResponse> {
      let conversationId: number;
      let history: HistoryMessage[] = [];
      if (request.conversation_id === undefined) {
        conversationId = (await conversations.start(userId, request.message)).conversationId;
      } else {
        const found = await conversations.find(userId, request.conversation_id);
        if (!found) throw new ConversationNotFoundError();
        conversationId = found.id;
        history = await conversations.recentHistory(conversationId, HISTORY_LIMIT);
        await conversations.append(conversationId, 'user', request.message);
      }

      const session = await openToolSession(tasks, userId, context);
      const tools = recordingTools(session);
      let response: string;
      try {
        response = await provider.reply({ history, message: request.message, tools });
        metrics?.turn(provider.name, 'ok');
      } catch (error) {
        metrics?.turn(provider.name, 'error');
        if (error instanceof ProviderError) throw new ChatTurnError(error, conversationId, tools.calls);
        throw error;
      } finally {
        for (const call of tools.calls) metrics?.toolCall(call.tool, toolOutcome(call));
        await session.close();
      }
      const reply = await conversations.append(conversationId, 'assistant', response, tools.calls);
      // What was stored (bounded) is what the client sees, now and when it reads the conversation again.
      return { conversation_id: conversationId, response: reply.content, tool_calls: reply.tool_calls };
    },
  };
}

export type ChatService = ReturnType<typeof createChatService>;
