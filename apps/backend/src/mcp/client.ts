import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { TasksRepository } from '../tasks/tasks-repository.js';
import { jsonSchemaValidator } from './json-schema-validator.js';
import { createTaskMcpServer, type ToolCallContext } from './server.js';

/** A tool as the agent sees it: name, description and JSON Schema of its arguments (what models need). */
export interface ToolDefinition {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

/** The agent's handle on the task tools: list them, call one, close the session. */
export interface ToolSession {
  readonly definitions: ToolDefinition[];
  /** Runs a tool and returns its result object (`{error}` for unknown tasks and invalid arguments). */
  call(name: string, args: Record<string, unknown>): Promise<unknown>;
  close(): Promise<void>;
}

/** Reads a tool's answer: structured content when the server sent it, else the JSON in its text. */
function resultOf(result: Awaited<ReturnType<Client['callTool']>>): unknown {
  if (result.structuredContent) return result.structuredContent;
  const content = Array.isArray(result.content) ? result.content : [];
  const text = content.find((part): part is { type: 'text'; text: string } => part?.type === 'text')?.text;
  if (text === undefined) return { error: 'The tool returned nothing' };
  try {
    return JSON.parse(text);
  } catch {
    // Argument validation failures come back as plain text with isError.
    return { error: text };
  }
}

/**
 * The tools' definitions are the same for every user and every turn: listed once per process.
 * Listing converts each tool's zod schema to JSON Schema, which was most of a chat turn's CPU time.
 */
let definitionsOnce: Promise<ToolDefinition[]> | undefined;

async function listDefinitions(client: Client): Promise<ToolDefinition[]> {
  const { tools } = await client.listTools();
  return tools.map((tool) => ({
    name: tool.name,
    description: tool.description ?? tool.name,
    inputSchema: tool.inputSchema as Record<string, unknown>,
  }));
}

/**
 * Connects an MCP client to a fresh task server for `userId` over an in-memory transport: the agent goes
 * through the same MCP protocol, schemas and handlers as external clients on `/mcp`.
 */
export async function openToolSession(
  repo: TasksRepository,
  userId: string,
  context: ToolCallContext,
): Promise<ToolSession> {
  const server = createTaskMcpServer(repo, userId, context);
  const client = new Client({ name: 'todo-stack-agent', version: '1.0.0' }, { jsonSchemaValidator });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  await client.connect(clientTransport);
  definitionsOnce ??= listDefinitions(client).catch((error: unknown) => {
    definitionsOnce = undefined;
    throw error;
  });
  const definitions = await definitionsOnce;
  return {
    definitions,
    call: async (name, args) => resultOf(await client.callTool({ name, arguments: args })),
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}
