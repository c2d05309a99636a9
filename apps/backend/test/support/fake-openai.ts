import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake received on one `POST /v1/chat/completions`. */
export interface RecordedRequest {
  headers: IncomingMessage['headers'];
  body: {
    model: string;
    messages: { role: string; content: string | null; tool_calls?: unknown[]; tool_call_id?: string }[];
    tools?: { type: string; function: { name: string; description: string; parameters: Record<string, unknown> } }[];
  };
}

/** One scripted answer: a completion body, an HTTP error, or silence (to trigger the client's timeout). */
export type Scripted =
  | { message: { content?: string | null; tool_calls?: { id: string; name: string; arguments: unknown }[] } }
  | { status: number; error: string; headers?: Record<string, string> }
  | { hang: true };

/** A step may depend on what the model "saw" (e.g. the ids returned by list_tasks). */
export type Step = Scripted | ((request: RecordedRequest) => Scripted);

export const say = (content: string): Scripted => ({ message: { content } });
export const callTools = (...calls: [name: string, args: Record<string, unknown>][]): Scripted => ({
  message: {
    content: null,
    tool_calls: calls.map(([name, args], index) => ({ id: `call_${index}_${name}`, name, arguments: args })),
  },
});

/**
 * A local OpenAI-compatible server (`node:http`): answers Chat Completions from a script, records every
 * request, so tests run the real `openai` client and check what it sent.
 */
export class FakeOpenAI {
  readonly requests: RecordedRequest[] = [];
  /** Calls that found the script empty: the code under test asked the model more than the test expected. */
  readonly unscripted: string[] = [];
  private script: Step[] = [];
  private server: Server = createServer((req, res) => void this.handle(req, res));

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  /** Replaces the script and forgets earlier requests. */
  play(...steps: Step[]): void {
    this.script = steps;
    this.requests.length = 0;
  }

  /** For `afterEach`: fails the test that made a call its script did not expect (answered 500 meanwhile). */
  expectNoUnscriptedCalls(): void {
    const calls = this.unscripted.splice(0);
    if (calls.length > 0)
      throw new Error(`FakeOpenAI: ${calls.length} unscripted call(s), the last message each:\n${calls.join('\n')}`);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of req) text += chunk;
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: 'not found' } }));
      return;
    }
    const request: RecordedRequest = { headers: req.headers, body: JSON.parse(text) };
    this.requests.push(request);
    const step = this.script.shift();
    if (step === undefined) {
      this.unscripted.push(JSON.stringify(request.body.messages.at(-1)).slice(0, 200));
      res
        .writeHead(500, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: 'FakeOpenAI: unscripted call', type: 'server_error', code: null } }));
      return;
    }
    const answer: Scripted = typeof step === 'function' ? step(request) : step;

    if ('hang' in answer) return; // never answers; the client gives up
    if ('status' in answer) {
      res
        .writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
        .end(JSON.stringify({ error: { message: answer.error, type: 'server_error', code: null } }));
      return;
    }
    const calls = answer.message.tool_calls ?? [];
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: `chatcmpl-${this.requests.length}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: request.body.model,
        choices: [
          {
            index: 0,
            finish_reason: calls.length > 0 ? 'tool_calls' : 'stop',
            message: {
              role: 'assistant',
              content: answer.message.content ?? null,
              ...(calls.length > 0
                ? {
                    tool_calls: calls.map((call) => ({
                      id: call.id,
                      type: 'function',
                      function: {
                        name: call.name,
                        arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
                      },
                    })),
                  }
                : {}),
            },
          },
        ],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      }),
    );
  }
}
