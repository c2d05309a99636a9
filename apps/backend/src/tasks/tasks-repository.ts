import { and, asc, count, desc, eq, getTableColumns, not, sql, type SQL } from 'drizzle-orm';
import { LIMITS, type CreateTask, type Task, type TaskQuery, type UpdateTask } from '@todo-stack/shared';
import { queryRows, type AppDb } from '../db/client.js';
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

/** A row as `db.execute` answers it: column names and driver types, no Drizzle mapping. */
interface RawRow extends Record<string, unknown> {
  id: number;
  user_id: string;
  title: string;
  description: string | null;
  completed: boolean;
  created_at: Date | string;
  updated_at: Date | string;
}

const fromRawRow = (row: RawRow): Task =>
  toTask({
    id: row.id,
    userId: row.user_id,
    title: row.title,
    description: row.description,
    completed: row.completed,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
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
 * Every query is scoped by `userId`: another user's task is indistinguishable from a missing one,
 * so callers answer 404 and never reveal that it exists.
 */
export function createTasksRepository(db: AppDb) {
  const owned = (userId: string, id: number) => and(eq(tasks.userId, userId), eq(tasks.id, id));

  return {
    /**
     * One page of the user's tasks and the number of all matches. The total rides along as a window count,
     * so a page costs one query; only a page past the end needs a second (cheap, index-only) count.
     */
    async list(userId: string, query: TaskQuery = {}): Promise<{ tasks: Task[]; total: number }> {
      const filters: SQL[] = [eq(tasks.userId, userId)];
      if (query.status === 'pending') filters.push(eq(tasks.completed, false));
      if (query.status === 'completed') filters.push(eq(tasks.completed, true));
      const where = and(...filters);
      const order =
        query.sort === 'title'
          ? [asc(sql`lower(${tasks.title})`), asc(tasks.id)]
          : [desc(tasks.createdAt), desc(tasks.id)];
      const offset = query.offset ?? 0;
      const rows = await db
        .select({ ...getTableColumns(tasks), total: sql<number>`count(*) over ()`.mapWith(Number) })
        .from(tasks)
        .where(where)
        .orderBy(...order)
        .limit(Math.min(query.limit ?? LIMITS.taskPageDefault, LIMITS.taskPageMax))
        .offset(offset);
      const total =
        rows[0]?.total ??
        (offset === 0 ? 0 : ((await db.select({ total: count() }).from(tasks).where(where))[0]?.total ?? 0));
      return { tasks: rows.map(toTask), total };
    },

    /**
     * Inserts only while the user is under `LIMITS.tasksPerUser`, in one statement. Requests racing at the
     * boundary can each see room, so the cap may be passed by as many tasks as one user sends concurrently.
     */
    async create(userId: string, input: CreateTask): Promise<Task> {
      const [row] = await queryRows<RawRow>(
        db,
        sql`
        insert into ${tasks} (user_id, title, description)
        select ${userId}, ${input.title}, ${input.description ?? null}
        where (select count(*) from ${tasks} where ${tasks.userId} = ${userId}) < ${LIMITS.tasksPerUser}
        returning *`,
      );
      if (!row) throw new TaskLimitError(LIMITS.tasksPerUser);
      return fromRawRow(row);
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
