import OpenAI, { APIConnectionTimeoutError, APIError, APIUserAbortError, RateLimitError } from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { ProviderError, type AgentInput, type ChatProvider } from '../provider.js';
import { SYSTEM_PROMPT } from '../prompt.js';

export interface OpenAIProviderOptions {
  apiKey: string;
  /** Any OpenAI-compatible server (Azure, vLLM, Ollama, a test fake); default api.openai.com. */
  baseUrl?: string;
  model: string;
  /** Budget for the whole turn (every model call of the tool loop). */
  timeoutMs: number;
  /** Model calls per turn before giving up on the tool loop. */
  maxSteps: number;
}

/** Reads the seconds a 429 asks us to wait, when the server said. */
function retryAfter(error: APIError): number | undefined {
  const value = error.headers?.get('retry-after');
  const seconds = value ? Number(value) : NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds) : undefined;
}

/** Turns the client's errors into the three failures the chat route reports to people. */
function toProviderError(error: unknown, timeoutMs: number): ProviderError {
  if (error instanceof ProviderError) return error;
  if (error instanceof APIConnectionTimeoutError || error instanceof APIUserAbortError) {
    return new ProviderError(
      'timeout',
      `The AI assistant did not answer within ${Math.round(timeoutMs / 1000)} seconds. Your message was saved; please try again.`,
    );
  }
  if (error instanceof RateLimitError) {
    return new ProviderError(
      'rate_limited',
      'The AI assistant is busy (rate limited by the provider). Your message was saved; please try again in a moment.',
      retryAfter(error),
    );
  }
  if (error instanceof APIError) {
    const status = error.status ? ` (HTTP ${error.status})` : '';
    return new ProviderError(
      'upstream',
      `The AI assistant is unavailable${status}. Your message was saved; please try again later.`,
    );
  }
  return new ProviderError(
    'upstream',
    'The AI assistant returned an answer we could not use. Your message was saved; please try again.',
  );
}

function parseArguments(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text || '{}');
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The OpenAI provider: Chat Completions with function tools. The tool loop runs each requested call through
 * the MCP session and feeds results back until the model answers in text, within `maxSteps` and `timeoutMs`.
 *
 * Hand-written rather than the SDK's `client.chat.completions.runTools` (openai 6.49): that helper runs one step's
 * tool calls concurrently unless `parallel_tool_calls: false` is sent to the model (which changes what it may ask
 * for), so calls that depend on each other ("list, then delete") would race, `tool_calls` would be recorded out of
 * order and the per-turn cap of MAX_TOOL_CALLS_PER_TURN would be checked before any call finished.
 */
export function createOpenAIProvider(options: OpenAIProviderOptions): ChatProvider {
  const client = new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseUrl,
    timeout: options.timeoutMs,
    // Failures go back to the person at once (their message is kept); retrying is their call.
    maxRetries: 0,
  });

  return {
    name: 'openai',
    async reply({ history, message, tools }: AgentInput): Promise<string> {
      const definitions: ChatCompletionTool[] = tools.definitions.map((tool) => ({
        type: 'function',
        function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
      }));
      const messages: ChatCompletionMessageParam[] = [
        { role: 'system', content: SYSTEM_PROMPT },
        ...history.map((turn) => ({ role: turn.role, content: turn.content })),
        { role: 'user', content: message },
      ];
      const deadline = AbortSignal.timeout(options.timeoutMs);

      try {
        for (let step = 0; step < options.maxSteps; step++) {
          const completion = await client.chat.completions.create(
            { model: options.model, messages, tools: definitions, tool_choice: 'auto' },
            { signal: deadline },
          );
          const choice = completion.choices?.[0];
          if (!choice?.message)
            throw new ProviderError(
              'upstream',
              'The AI assistant sent an empty answer. Your message was saved; please try again.',
            );
          const calls = (choice.message.tool_calls ?? []).filter((call) => call.type === 'function');
          if (calls.length === 0) {
            const text = choice.message.content?.trim();
            if (!text)
              throw new ProviderError(
                'upstream',
                'The AI assistant sent an empty answer. Your message was saved; please try again.',
              );
            return text;
          }
          messages.push({ role: 'assistant', content: choice.message.content ?? null, tool_calls: calls });
          for (const call of calls) {
            const args = parseArguments(call.function.arguments);
            const result = args
              ? await tools.call(call.function.name, args)
              : { error: 'Arguments were not a JSON object' };
            messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(result) });
          }
        }
      } catch (error) {
        throw toProviderError(error, options.timeoutMs);
      }
      return `I stopped after ${options.maxSteps} steps without finishing. The actions listed with this reply were done; please check your tasks and ask again if something is missing.`;
    },
  };
}
