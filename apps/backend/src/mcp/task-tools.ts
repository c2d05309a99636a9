import { LIMITS, type Task, type TaskStatus, type ToolName } from '@todo-stack/shared';
import { TaskLimitError, type TasksRepository } from '../tasks/tasks-repository.js';

/** What a tool answers after changing a task (SPEC §4). */
export interface TaskActionResult {
  task_id: number;
  status: 'created' | 'completed' | 'deleted' | 'updated';
  title: string;
}

/** A task as `list_tasks` shows it: enough for a model or a person to pick one. */
export interface ListedTask {
  id: number;
  title: string;
  description: string | null;
  completed: boolean;
}

export interface TaskListResult {
  tasks: ListedTask[];
  total: number;
}

/** An unknown task (or another user's, which looks the same): the tool says so instead of inventing success. */
export interface ToolError {
  error: string;
}

export type ToolResult = TaskActionResult | TaskListResult | ToolError;

export const isToolError = (result: unknown): result is ToolError =>
  typeof result === 'object' && result !== null && typeof (result as ToolError).error === 'string';

const notFound = (id: number): ToolError => ({ error: `Task ${id} not found` });

const action = (task: Task, status: TaskActionResult['status']): TaskActionResult => ({
  task_id: task.id,
  status,
  title: task.title,
});

/**
 * The five task operations, bound to one user. The user id comes from the authenticated request when the
 * tools are created, never from a tool argument, so no model output can reach another user's tasks.
 */
export function createTaskTools(repo: TasksRepository, userId: string) {
  return {
    async add_task(args: { title: string; description?: string }): Promise<TaskActionResult | ToolError> {
      try {
        return action(await repo.create(userId, { title: args.title, description: args.description }), 'created');
      } catch (error) {
        if (error instanceof TaskLimitError) return { error: error.message };
        throw error;
      }
    },

    /** One page (newest first): `total` tells the caller whether to ask for the next one with `offset`. */
    async list_tasks(args: { status?: TaskStatus; limit?: number; offset?: number } = {}): Promise<TaskListResult> {
      const { tasks, total } = await repo.list(userId, {
        status: args.status ?? 'all',
        sort: 'created',
        limit: args.limit ?? LIMITS.taskPageDefault,
        offset: args.offset ?? 0,
      });
      return {
        tasks: tasks.map(({ id, title, description, completed }) => ({ id, title, description, completed })),
        total,
      };
    },

    async complete_task(args: { task_id: number }): Promise<TaskActionResult | ToolError> {
      const task = await repo.update(userId, args.task_id, { completed: true });
      return task ? action(task, 'completed') : notFound(args.task_id);
    },

    async delete_task(args: { task_id: number }): Promise<TaskActionResult | ToolError> {
      const task = await repo.remove(userId, args.task_id);
      return task ? action(task, 'deleted') : notFound(args.task_id);
    },

    async update_task(args: {
      task_id: number;
      title?: string;
      description?: string | null;
    }): Promise<TaskActionResult | ToolError> {
      const patch = {
        ...(args.title !== undefined ? { title: args.title } : {}),
        ...(args.description !== undefined ? { description: args.description } : {}),
      };
      if (Object.keys(patch).length === 0) return { error: 'Nothing to update: give a new title or description' };
      const task = await repo.update(userId, args.task_id, patch);
      return task ? action(task, 'updated') : notFound(args.task_id);
    },
  } satisfies Record<ToolName, (args: never) => Promise<ToolResult>>;
}
