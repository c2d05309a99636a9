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

      // A sign-out on B reaches A (at once through the revocation channel; the next test pins that).
      await b.inject({ method: 'POST', url: '/api/auth/sign-out', headers: user.headers });
      expect((await b.inject({ url: `/api/${user.id}/tasks`, headers: user.headers })).statusCode).toBe(401);
      const listOnA = async () => (await a.inject({ url: `/api/${user.id}/tasks`, headers: user.headers })).statusCode;
      await eventually(listOnA, 401, SESSION_CACHE_TTL_MS + 10_000);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('a sign-out on one instance ends the session on the other at once, not when its cached copy expires', async () => {
    const slowCache = () => buildTestApp(db, { SESSION_CACHE_TTL_MS: '60000' });
    const [a, b] = await Promise.all([slowCache(), slowCache()]);
    try {
      const user = await signUp(a);
      const listOn = (app: typeof a) => async () =>
        (await app.inject({ url: `/api/${user.id}/tasks`, headers: user.headers })).statusCode;
      // A has looked the session up: it is in A's cache for the next 60 s.
      expect(await listOn(a)()).toBe(200);
      expect(await listOn(b)()).toBe(200);
      expect((await b.inject({ method: 'POST', url: '/api/auth/sign-out', headers: user.headers })).statusCode).toBe(
        200,
      );
      // The notification is delivered asynchronously; far within the TTL all the same.
      await eventually(listOn(a), 401, 5_000);
      expect(await listOn(b)()).toBe(401);
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
