import { and, asc, count, desc, eq, getTableColumns, not, sql, type Placeholder } from 'drizzle-orm';
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
  const matching = (userId: string | Placeholder, status: TaskQuery['status']) =>
    and(
      eq(tasks.userId, userId),
      ...(status === 'pending' ? [eq(tasks.completed, false)] : []),
      ...(status === 'completed' ? [eq(tasks.completed, true)] : []),
    );

  /**
   * The page query of each filter and order, built once and prepared by name: a list request then skips
   * Drizzle's query building, and PostgreSQL parses and plans it once per connection.
   */
  const pageQueries = new Map<string, ReturnType<typeof preparePage>>();
  const preparePage = (status: TaskQuery['status'], sort: TaskQuery['sort'], name: string) =>
    db
      .select({ ...getTableColumns(tasks), total: sql<number>`count(*) over ()`.mapWith(Number) })
      .from(tasks)
      .where(matching(sql.placeholder('userId'), status))
      .orderBy(
        ...(sort === 'title'
          ? [asc(sql`lower(${tasks.title})`), asc(tasks.id)]
          : [desc(tasks.createdAt), desc(tasks.id)]),
      )
      .limit(sql.placeholder('limit'))
      .offset(sql.placeholder('offset'))
      .prepare(name);
  const pageQuery = (status: TaskQuery['status'], sort: TaskQuery['sort']) => {
    const name = `tasks_page_${status ?? 'all'}_${sort ?? 'created'}`;
    let prepared = pageQueries.get(name);
    if (!prepared) pageQueries.set(name, (prepared = preparePage(status, sort, name)));
    return prepared;
  };

  return {
    /**
     * One page of the user's tasks and the number of all matches. The total rides along as a window count,
     * so a page costs one query; only a page past the end needs a second (cheap, index-only) count.
     */
    async list(userId: string, query: TaskQuery = {}): Promise<{ tasks: Task[]; total: number }> {
      const offset = query.offset ?? 0;
      const rows = await pageQuery(query.status, query.sort).execute({
        userId,
        limit: Math.min(query.limit ?? LIMITS.taskPageDefault, LIMITS.taskPageMax),
        offset,
      });
      const total =
        rows[0]?.total ??
        (offset === 0
          ? 0
          : ((await db.select({ total: count() }).from(tasks).where(matching(userId, query.status)))[0]?.total ?? 0));
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
