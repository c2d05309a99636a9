import { and, count, eq, not, sql } from 'drizzle-orm';
import { LIMITS, type CreateTask, type Task, type TaskQuery, type UpdateTask } from '@todo-stack/shared';
import type { Database } from '../db/client.js';
import { tasks } from '../db/schema.js';

type Row = typeof tasks.$inferSelect;

const toTask = (row: Row): Task => ({
  id: row.id,
  user_id: row.userId,
  title: row.title,
  description: row.description,
  completed: row.completed,
  created_at: row.createdAt.toISOString(),
  updated_at: row.updatedAt.toISOString(),
});

/**
 * The user already keeps `LIMITS.tasksPerUser` tasks. 409 rather than 422: the request itself is valid, it
 * conflicts with the current state of the user's list (deleting a task makes the same request succeed).
 */
export class TaskLimitError extends Error {
  readonly statusCode = 409;
  constructor(readonly limit: number) {
    super(`Task limit reached: you can keep up to ${limit} tasks. Delete some to add new ones.`);
    this.name = 'TaskLimitError';
  }
}

/**
 * A timestamp as `Date#toISOString` writes it (UTC, milliseconds), formatted by PostgreSQL. The colons are quoted
 * literals so that pgbench, which runs the same text (bench/pgbench), does not read `:MI` as one of its variables.
 */
const iso = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24":"MI":"SS.MS"Z"')`;

/** The API's task fields as a statement on `tasks t` (or `tasks` itself) selects or returns them. */
const TASK_FIELDS = [
  'id, user_id, title, description, completed',
  `${iso('created_at')} as created_at`,
  `${iso('updated_at')} as updated_at`,
].join(', ');

/** A page row as the list statement answers it: the API's task fields, plus the window count (bigint: text). */
interface PageRow extends Task {
  total: string | number;
}

const STATUS_FILTER: Record<NonNullable<TaskQuery['status']>, string> = {
  all: '',
  pending: 'and t.completed = false',
  completed: 'and t.completed = true',
};
// Qualified: a bare `created_at` in ORDER BY would be the formatted output column, not the indexed one.
const ORDER: Record<NonNullable<TaskQuery['sort']>, string> = {
  created: 't.created_at desc, t.id desc',
  title: 'lower(t.title) asc, t.id asc',
};

/**
 * Every query is scoped by `userId`: another user's task is indistinguishable from a missing one,
 * so callers answer 404 and never reveal that it exists.
 */
export function createTasksRepository(database: Pick<Database, 'db' | 'statement'>) {
  const { db } = database;
  const owned = (userId: string, id: number) => and(eq(tasks.userId, userId), eq(tasks.id, id));
  const matching = (userId: string, status: TaskQuery['status']) =>
    and(
      eq(tasks.userId, userId),
      ...(status === 'pending' ? [eq(tasks.completed, false)] : []),
      ...(status === 'completed' ? [eq(tasks.completed, true)] : []),
    );

  /**
   * The page statement of each filter and order, prepared by name: PostgreSQL parses and plans it once per
   * connection, and its rows are the API's tasks as they are (timestamps formatted by the database), so a list
   * request builds no query and maps no row. The hottest read of the API: raw SQL on purpose.
   */
  const pageStatements = new Map<string, (values: unknown[]) => Promise<PageRow[]>>();
  const pageStatement = (status: TaskQuery['status'] = 'all', sort: TaskQuery['sort'] = 'created') => {
    const name = `tasks_page_${status}_${sort}`;
    let statement = pageStatements.get(name);
    if (!statement) {
      statement = database.statement<PageRow>(
        name,
        `select ${TASK_FIELDS}, count(*) over () as total
         from tasks t where t.user_id = $1 ${STATUS_FILTER[status]}
         order by ${ORDER[sort]} limit $2 offset $3`,
      );
      pageStatements.set(name, statement);
    }
    return statement;
  };

  /** The create route's insert, prepared by name like the page: answers the task as the API writes it. */
  const insertStatement = database.statement<Task>(
    'tasks_insert',
    `insert into tasks (user_id, title, description)
     select $1, $2, $3 where (select count(*) from tasks where user_id = $1) < $4
     returning ${TASK_FIELDS}`,
  );

  return {
    /**
     * One page of the user's tasks and the number of all matches. The total rides along as a window count,
     * so a page costs one query; only a page past the end needs a second (cheap, index-only) count.
     */
    async list(userId: string, query: TaskQuery = {}): Promise<{ tasks: Task[]; total: number }> {
      const offset = query.offset ?? 0;
      const limit = Math.min(query.limit ?? LIMITS.taskPageDefault, LIMITS.taskPageMax);
      const rows = await pageStatement(query.status, query.sort)([userId, limit, offset]);
      const first = rows[0];
      const total = first
        ? Number(first.total)
        : offset === 0
          ? 0
          : ((await db.select({ total: count() }).from(tasks).where(matching(userId, query.status)))[0]?.total ?? 0);
      // The rows are sent as they are: the response schema writes the task fields only, `total` is left out.
      return { tasks: rows, total };
    },

    /**
     * Inserts only while the user is under `LIMITS.tasksPerUser`, in one statement. Requests racing at the
     * boundary can each see room, so the cap may be passed by as many tasks as one user sends concurrently.
     */
    async create(userId: string, input: CreateTask): Promise<Task> {
      const [row] = await insertStatement([userId, input.title, input.description ?? null, LIMITS.tasksPerUser]);
      if (!row) throw new TaskLimitError(LIMITS.tasksPerUser);
      return row;
    },

    async get(userId: string, id: number): Promise<Task | undefined> {
      const [row] = await db.select().from(tasks).where(owned(userId, id));
      return row && toTask(row);
    },

    /** Changes only the given fields and bumps `updated_at`. */
    async update(userId: string, id: number, patch: UpdateTask): Promise<Task | undefined> {
      const [row] = await db
        .update(tasks)
        .set({ ...patch, updatedAt: sql`now()` })
        .where(owned(userId, id))
        .returning();
      return row && toTask(row);
    },

    /** Flips `completed` in one statement, so concurrent toggles never lose an update. */
    async toggle(userId: string, id: number): Promise<Task | undefined> {
      const [row] = await db
        .update(tasks)
        .set({ completed: not(tasks.completed), updatedAt: sql`now()` })
        .where(owned(userId, id))
        .returning();
      return row && toTask(row);
    },

    async remove(userId: string, id: number): Promise<Task | undefined> {
      const [row] = await db.delete(tasks).where(owned(userId, id)).returning();
      return row && toTask(row);
    },
  };
}

export type TasksRepository = ReturnType<typeof createTasksRepository>;
