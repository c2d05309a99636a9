import type { Task, TaskList } from '@todo-stack/shared';
import { waitFor } from '@todo-stack/testing';
import { buildTestApp, signUp } from '../helper.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** Two backend instances over one database behave as one, and data outlives any instance. */
describe('replicas and restarts', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  }, 120_000); // PGlite's start-up (initdb + migrations) is slow on a busy machine
  afterAll(async () => {
    await db.dispose();
  });

  /** Each instance caches the sessions it looked up for this long (SESSION_CACHE_TTL_MS). */
  const SESSION_CACHE_TTL_MS = 200;
  const start = () => buildTestApp(db, { SESSION_CACHE_TTL_MS: String(SESSION_CACHE_TTL_MS) });

  /** Polls `status()` until it answers `expected`; fails after `timeoutMs`. */
  const eventually = (status: () => Promise<number>, expected: number, timeoutMs: number) =>
    waitFor(
      async () => {
        const last = await status();
        if (last !== expected) throw new Error(`still ${last}, expected ${expected}`);
        return true;
      },
      { what: `status ${expected}`, timeoutMs, intervalMs: 20 },
    );

  it('a session made on one instance works on the other; writes are seen by both', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    try {
      const user = await signUp(a);
      const created = await b.inject({
        method: 'POST',
        url: `/api/${user.id}/tasks`,
        headers: user.headers,
        payload: { title: 'via B' },
      });
      expect(created.statusCode).toBe(201);
      const listed = await a.inject({ url: `/api/${user.id}/tasks`, headers: user.headers });
      expect(listed.json<TaskList>().tasks.map((t) => t.title)).toEqual(['via B']);

      // A sign-out on B reaches A once A's cached copy of the session has expired (the documented TTL).
      await b.inject({ method: 'POST', url: '/api/auth/sign-out', headers: user.headers });
      expect((await b.inject({ url: `/api/${user.id}/tasks`, headers: user.headers })).statusCode).toBe(401);
      const listOnA = async () => (await a.inject({ url: `/api/${user.id}/tasks`, headers: user.headers })).statusCode;
      await eventually(listOnA, 401, SESSION_CACHE_TTL_MS + 10_000);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('tasks and sessions survive a backend restart', async () => {
    const first = await start();
    const user = await signUp(first);
    const task = (
      await first.inject({
        method: 'POST',
        url: `/api/${user.id}/tasks`,
        headers: user.headers,
        payload: { title: 'durable' },
      })
    ).json<Task>();
    await first.close();

    const second = await start();
    try {
      const res = await second.inject({ url: `/api/${user.id}/tasks/${task.id}`, headers: user.headers });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual(task);
    } finally {
      await second.close();
    }
  });
});
