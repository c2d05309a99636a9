import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import { LIMITS, TASK_STATUSES } from '@todo-stack/shared';
import type { TasksRepository } from '../app/plugins/app/tasks-repository.js';
import { createTaskTools, isToolError, type ToolResult } from './task-tools.js';

const TaskId = z.number().int().min(1).max(LIMITS.maxId).describe('The numeric id of the task');
const Title = z.string().trim().min(1).max(LIMITS.taskTitle);
const Description = z.string().max(LIMITS.taskDescription);

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
export function createTaskMcpServer(repo: TasksRepository, userId: string): McpServer {
  const tools = createTaskTools(repo, userId);
  const server = new McpServer({ name: 'todo-stack-tasks', version: '1.0.0' });

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
    async (args) => asToolResult(await tools.add_task(args)),
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
    async (args) => asToolResult(await tools.list_tasks(args)),
  );

  server.registerTool(
    'complete_task',
    {
      title: 'Complete a task',
      description: 'Mark a task as done, by id.',
      inputSchema: { task_id: TaskId },
      annotations: { destructiveHint: false, idempotentHint: true },
    },
    async (args) => asToolResult(await tools.complete_task(args)),
  );

  server.registerTool(
    'delete_task',
    {
      title: 'Delete a task',
      description: 'Delete a task for good, by id.',
      inputSchema: { task_id: TaskId },
      annotations: { destructiveHint: true, idempotentHint: true },
    },
    async (args) => asToolResult(await tools.delete_task(args)),
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
    async (args) => asToolResult(await tools.update_task(args)),
  );

  return server;
}
