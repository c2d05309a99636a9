import type { ToolCall } from '@todo-stack/shared';
import type { ToolDefinition, ToolSession } from '../mcp/client.js';

/** One earlier turn of the conversation, as loaded from the database. */
export interface HistoryMessage {
  role: 'user' | 'assistant';
  content: string;
}

/** The task tools as an agent uses them; every call is recorded with its arguments and result. */
export interface AgentTools {
  readonly definitions: ToolDefinition[];
  call(name: string, args: Record<string, unknown>): Promise<unknown>;
}

export interface AgentInput {
  history: HistoryMessage[];
  message: string;
  tools: AgentTools;
}

/** Answers one user message, calling tools as needed; returns the reply text for the user. */
export interface ChatProvider {
  readonly name: 'offline' | 'openai';
  reply(input: AgentInput): Promise<string>;
}

export type ProviderFailure = 'rate_limited' | 'upstream' | 'timeout';

/** The model provider could not answer. The chat route turns it into 503 / 502 / 504 with `message` as detail. */
export class ProviderError extends Error {
  constructor(
    readonly kind: ProviderFailure,
    message: string,
    /** Seconds the provider asked us to wait (429 Retry-After), when it said. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

/**
 * Tool calls one chat turn may run. A model can ask for many calls in one step: this bounds the database work a
 * single chat request causes, whatever the model (or a prompt injected into a task title) asks for.
 */
const MAX_TOOL_CALLS_PER_TURN = 20;

/** Wraps a tool session so each call (name, arguments, result) is kept for the reply and the database. */
export function recordingTools(session: ToolSession): AgentTools & { calls: ToolCall[] } {
  const calls: ToolCall[] = [];
  return {
    calls,
    definitions: session.definitions,
    async call(name, args) {
      if (calls.length >= MAX_TOOL_CALLS_PER_TURN) {
        return { error: `Too many tool calls in one turn (at most ${MAX_TOOL_CALLS_PER_TURN}); this one did not run.` };
      }
      const result = await session.call(name, args);
      calls.push({ tool: name, arguments: args, result });
      return result;
    },
  };
}
