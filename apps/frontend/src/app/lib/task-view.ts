import { LIMITS, TASK_SORTS, TASK_STATUSES, type TaskSort, type TaskStatus } from '@todo-stack/shared';

/** What the task page shows, all of it in the URL (`/tasks?status=pending&sort=title&offset=50`). */
export interface TaskView {
  status: TaskStatus;
  sort: TaskSort;
  offset: number;
}

export const DEFAULT_TASK_VIEW: TaskView = { status: 'all', sort: 'created', offset: 0 };

type SearchParams = Record<string, string | string[] | undefined>;

function one(params: SearchParams, name: string): string | undefined {
  const value = params[name];
  return typeof value === 'string' ? value : undefined;
}

function pick<T extends string>(allowed: readonly T[], value: string | undefined, fallback: T): T {
  return allowed.find((item) => item === value) ?? fallback;
}

/**
 * A page offset from the URL: a whole number of pages, at most the tasks a user may keep; anything else (a typo, a
 * negative or huge number, several values) is the first page rather than an error.
 */
function parseOffset(raw: string | undefined, pageSize: number, max: number): number {
  if (raw === undefined || !/^\d{1,7}$/.test(raw)) return 0;
  const offset = Number(raw);
  return offset <= max ? offset - (offset % pageSize) : 0;
}

export function parseTaskView(params: SearchParams, pageSize: number = LIMITS.taskPageDefault): TaskView {
  return {
    status: pick(TASK_STATUSES, one(params, 'status'), DEFAULT_TASK_VIEW.status),
    sort: pick(TASK_SORTS, one(params, 'sort'), DEFAULT_TASK_VIEW.sort),
    offset: parseOffset(one(params, 'offset'), pageSize, LIMITS.tasksPerUser),
  };
}

/** The URL of a view; defaults are left out, so the plain list is `/tasks`. */
export function tasksHref(view: TaskView): string {
  const params = new URLSearchParams();
  if (view.status !== DEFAULT_TASK_VIEW.status) params.set('status', view.status);
  if (view.sort !== DEFAULT_TASK_VIEW.sort) params.set('sort', view.sort);
  if (view.offset > 0) params.set('offset', String(view.offset));
  return params.size > 0 ? `/tasks?${params}` : '/tasks';
}
