import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import { LIMITS, TASK_STATUSES, TEXT_PATTERNS } from '@todo-stack/shared';
import type { TasksRepository } from '../tasks/tasks-repository.js';
import { jsonSchemaValidator } from './json-schema-validator.js';
import { createTaskTools, isToolError, type ToolResult } from './task-tools.js';

const TaskId = z.number().int().min(1).max(LIMITS.maxId).describe('The numeric id of the task');
// The REST schemas' rules (libs/shared): a tool must refuse what the API refuses, a NUL byte included.
const Title = z
  .string()
  .max(LIMITS.taskTitle)
  .regex(new RegExp(TEXT_PATTERNS.visible), 'must contain visible text and no NUL characters');
const Description = z
  .string()
  .max(LIMITS.taskDescription)
  .regex(new RegExp(TEXT_PATTERNS.noNul), 'must not contain NUL characters');

/** Who is calling, for the log line and the reference a failed tool answers with. */
export interface ToolCallContext {
  requestId: string;
  log: { error(obj: object, msg: string): void };
}

/**
 * A tool that threw (database down, a bug) answers a generic error with the request id to quote; the error
 * itself goes to the log only. Without this the SDK would answer the exception's message, which for a failed
 * query is the SQL statement and its parameters, and the chat would store it and show it to the model.
 */
function guarded<A>(name: string, context: ToolCallContext, run: (args: A) => Promise<ToolResult>) {
  return async (args: A): Promise<CallToolResult> => {
    try {
      return asToolResult(await run(args));
    } catch (err) {
      context.log.error({ err, tool: name }, 'tool failed');
      return asToolResult({ error: `The ${name} tool failed. Reference: ${context.requestId}` });
    }
  };
}

/** A tool's answer as MCP carries it: JSON text for any client, the same object as structured content. */
function asToolResult(result: ToolResult): CallToolResult {
  return {
    content: [{ type: 'text', text: JSON.stringify(result) }],
    structuredContent: result as unknown as Record<string, unknown>,
    isError: isToolError(result),
  };
}

/**
 * An MCP server exposing the task tools for one user. A new server is made per request (chat turn or
 * `/mcp` call) with the authenticated user's id, so the user is never a tool argument.
 */
export function createTaskMcpServer(repo: TasksRepository, userId: string, context: ToolCallContext): McpServer {
  const tools = createTaskTools(repo, userId);
  const server = new McpServer({ name: 'todo-stack-tasks', version: '1.0.0' }, { jsonSchemaValidator });

  server.registerTool(
    'add_task',
    {
      title: 'Add a task',
      description: "Create a new task in the user's todo list.",
      inputSchema: {
        title: Title.describe('What to do, short (1-200 characters)'),
        description: Description.optional().describe('Optional details (up to 1000 characters)'),
      },
      annotations: { destructiveHint: false, idempotentHint: false },
    },
    guarded('add_task', context, tools.add_task),
  );

  server.registerTool(
    'list_tasks',
    {
      title: 'List tasks',
      description:
        "List the user's tasks (newest first) with their ids, one page at a time: `total` counts all matches, ask for the next page with `offset`. Use it to find a task's id from its title before completing, deleting or updating it.",
      inputSchema: {
        status: z.enum(TASK_STATUSES).optional().describe('all (default), pending or completed'),
        limit: z
          .number()
          .int()
          .min(1)
          .max(LIMITS.taskPageMax)
          .optional()
          .describe(`Page size (default ${LIMITS.taskPageDefault}, at most ${LIMITS.taskPageMax})`),
        offset: z.number().int().min(0).max(LIMITS.maxId).optional().describe('Tasks to skip (default 0)'),
      },
      annotations: { readOnlyHint: true },
    },
    guarded('list_tasks', context, tools.list_tasks),
  );

  server.registerTool(
    'complete_task',
    {
      title: 'Complete a task',
      description: 'Mark a task as done, by id.',
      inputSchema: { task_id: TaskId },
      annotations: { destructiveHint: false, idempotentHint: true },
    },
    guarded('complete_task', context, tools.complete_task),
  );

  server.registerTool(
    'delete_task',
    {
      title: 'Delete a task',
      description: 'Delete a task for good, by id.',
      inputSchema: { task_id: TaskId },
      annotations: { destructiveHint: true, idempotentHint: true },
    },
    guarded('delete_task', context, tools.delete_task),
  );

  server.registerTool(
    'update_task',
    {
      title: 'Update a task',
      description: "Change a task's title and/or description, by id. Give only the fields to change.",
      inputSchema: {
        task_id: TaskId,
        title: Title.optional().describe('The new title'),
        description: Description.nullable().optional().describe('The new description; null clears it'),
      },
      annotations: { destructiveHint: false, idempotentHint: true },
    },
    guarded('update_task', context, tools.update_task),
  );

  return server;
}
