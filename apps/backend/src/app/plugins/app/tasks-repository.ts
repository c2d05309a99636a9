import fp from 'fastify-plugin';
import { and, asc, desc, eq, not, sql, type SQL } from 'drizzle-orm';
import type { CreateTask, Task, TaskQuery, UpdateTask } from '@todo-stack/shared';
import type { AppDb } from '../../../db/client.js';
import { tasks } from '../../../db/schema.js';

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
 * Every query is scoped by `userId`: another user's task is indistinguishable from a missing one,
 * so callers answer 404 and never reveal that it exists.
 */
export function createTasksRepository(db: AppDb) {
  const owned = (userId: string, id: number) => and(eq(tasks.userId, userId), eq(tasks.id, id));

  return {
    async list(userId: string, query: TaskQuery = {}): Promise<{ tasks: Task[]; total: number }> {
      const filters: SQL[] = [eq(tasks.userId, userId)];
      if (query.status === 'pending') filters.push(eq(tasks.completed, false));
      if (query.status === 'completed') filters.push(eq(tasks.completed, true));
      const order =
        query.sort === 'title'
          ? [asc(sql`lower(${tasks.title})`), asc(tasks.id)]
          : [desc(tasks.createdAt), desc(tasks.id)];
      const rows = await db
        .select()
        .from(tasks)
        .where(and(...filters))
        .orderBy(...order);
      return { tasks: rows.map(toTask), total: rows.length };
    },

    async create(userId: string, input: CreateTask): Promise<Task> {
      const [row] = await db
        .insert(tasks)
        .values({ userId, title: input.title, description: input.description ?? null })
        .returning();
      return toTask(row as Row);
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

declare module 'fastify' {
  interface FastifyInstance {
    tasksRepository: TasksRepository;
  }
}

export default fp(
  async (app) => {
    app.decorate('tasksRepository', createTasksRepository(app.database.db));
  },
  { name: 'tasks-repository', dependencies: ['database'] },
);
