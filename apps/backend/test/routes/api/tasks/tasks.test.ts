import { LIMITS, type Task, type TaskList } from '@todo-stack/shared';
import { asUser, expectValidationError, setupTestApp, signUp, type TestUser } from '../../../helper.js';

describe('/api/{user_id}/tasks', () => {
  const ctx = setupTestApp();
  let alice: TestUser;
  let as: ReturnType<typeof asUser>;

  beforeAll(async () => {
    alice = await signUp(ctx.app, { name: 'Alice' });
    as = asUser(ctx.app, alice);
  });

  const create = async (payload: object): Promise<Task> => {
    const res = await as({ method: 'POST', url: '/tasks', payload });
    expect(res.statusCode).toBe(201);
    return res.json<Task>();
  };

  describe('create, read, update, delete', () => {
    it('POST creates a task owned by the caller (201)', async () => {
      const task = await create({ title: 'Buy milk', description: '2 litres' });
      expect(task).toEqual({
        id: expect.any(Number),
        user_id: alice.id,
        title: 'Buy milk',
        description: '2 litres',
        completed: false,
        created_at: expect.any(String),
        updated_at: task.created_at,
      });
      expect(new Date(task.created_at).toISOString()).toBe(task.created_at);
    });

    it('GET /{id} returns it (200)', async () => {
      const task = await create({ title: 'Read it back' });
      const res = await as({ method: 'GET', url: `/tasks/${task.id}` });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual(task);
    });

    it('PUT changes only the given fields and bumps updated_at (200)', async () => {
      const task = await create({ title: 'Draft', description: 'keep me' });
      const res = await as({ method: 'PUT', url: `/tasks/${task.id}`, payload: { title: 'Final' } });
      expect(res.statusCode).toBe(200);
      const updated = res.json<Task>();
      expect(updated).toMatchObject({
        id: task.id,
        title: 'Final',
        description: 'keep me',
        completed: false,
        created_at: task.created_at,
      });
      expect(new Date(updated.updated_at).getTime()).toBeGreaterThan(new Date(task.updated_at).getTime());

      const cleared = await as({
        method: 'PUT',
        url: `/tasks/${task.id}`,
        payload: { description: null, completed: true },
      });
      expect(cleared.json()).toMatchObject({ title: 'Final', description: null, completed: true });
    });

    it('PATCH /{id}/complete toggles completion both ways (200)', async () => {
      const task = await create({ title: 'Toggle me' });
      const done = await as({ method: 'PATCH', url: `/tasks/${task.id}/complete` });
      expect(done.statusCode).toBe(200);
      expect(done.json()).toMatchObject({ completed: true });
      const undone = await as({ method: 'PATCH', url: `/tasks/${task.id}/complete` });
      expect(undone.json()).toMatchObject({ completed: false });
    });

    it('concurrent toggles never lose an update', async () => {
      const task = await create({ title: 'Race' });
      await Promise.all(Array.from({ length: 6 }, () => as({ method: 'PATCH', url: `/tasks/${task.id}/complete` })));
      expect((await as({ method: 'GET', url: `/tasks/${task.id}` })).json()).toMatchObject({ completed: false });
    });

    it('DELETE answers 204, then the task is gone (404)', async () => {
      const task = await create({ title: 'Short-lived' });
      const res = await as({ method: 'DELETE', url: `/tasks/${task.id}` });
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe('');
      expect((await as({ method: 'GET', url: `/tasks/${task.id}` })).statusCode).toBe(404);
      expect((await as({ method: 'DELETE', url: `/tasks/${task.id}` })).statusCode).toBe(404);
    });
  });

  describe('listing', () => {
    let owner: TestUser;
    let list: (query?: string) => Promise<TaskList>;

    beforeAll(async () => {
      owner = await signUp(ctx.app);
      const asOwner = asUser(ctx.app, owner);
      for (const title of ['banana', 'Apple', 'cherry']) {
        expect((await asOwner({ method: 'POST', url: '/tasks', payload: { title } })).statusCode).toBe(201);
      }
      const { tasks } = (await asOwner({ method: 'GET', url: '/tasks' })).json<TaskList>();
      const apple = tasks.find((t) => t.title === 'Apple');
      await asOwner({ method: 'PATCH', url: `/tasks/${apple?.id}/complete` });
      list = async (query = '') => (await asOwner({ method: 'GET', url: `/tasks${query}` })).json<TaskList>();
    });

    it('returns {tasks, total}, newest first by default', async () => {
      const { tasks, total } = await list();
      expect(total).toBe(3);
      expect(tasks.map((t) => t.title)).toEqual(['cherry', 'Apple', 'banana']);
    });

    it('filters by status', async () => {
      expect((await list('?status=pending')).tasks.map((t) => t.title)).toEqual(['cherry', 'banana']);
      expect(await list('?status=completed')).toMatchObject({ total: 1, tasks: [{ title: 'Apple', completed: true }] });
      expect((await list('?status=all')).total).toBe(3);
    });

    it('sorts by title, ignoring case', async () => {
      expect((await list('?sort=title')).tasks.map((t) => t.title)).toEqual(['Apple', 'banana', 'cherry']);
      expect((await list('?status=pending&sort=title')).tasks.map((t) => t.title)).toEqual(['banana', 'cherry']);
    });

    it('shows only the caller’s tasks', async () => {
      const { tasks } = await list();
      expect(tasks.every((t) => t.user_id === owner.id)).toBe(true);
    });

    it('lists each task exactly as GET /{id} answers it: the same fields, timestamps to the millisecond', async () => {
      // The page and the insert format timestamps in SQL; GET /{id} through Drizzle and Date#toISOString.
      const asOwner = asUser(ctx.app, owner);
      const created = (
        await asOwner({ method: 'POST', url: '/tasks', payload: { title: 'durian', description: 'ripe' } })
      ).json<Task>();
      const { tasks } = await list();
      expect(tasks[0]).toEqual(created);
      for (const task of tasks) {
        expect((await asOwner({ method: 'GET', url: `/tasks/${task.id}` })).json()).toEqual(task);
        expect(new Date(task.created_at).toISOString()).toBe(task.created_at);
      }
      await asOwner({ method: 'DELETE', url: `/tasks/${created.id}` });
    });
  });

  describe('pagination: bounded pages, total counts every match', () => {
    let pager: TestUser;
    let page: (query?: string) => Promise<TaskList>;
    const bulk = LIMITS.taskPageMax + 20;

    beforeAll(async () => {
      pager = await signUp(ctx.app);
      // Rows straight into the table: the API would take minutes to create this many on a busy machine.
      await ctx.db.query(
        "insert into tasks (user_id, title, completed, created_at) select $1, 'task ' || lpad(g::text, 3, '0'), g % 2 = 0, now() - g * interval '1 second' from generate_series(1, $2::int) g",
        [pager.id, bulk],
      );
      const asPager = asUser(ctx.app, pager);
      page = async (query = '') => {
        const res = await asPager({ method: 'GET', url: `/tasks${query}` });
        expect(res.statusCode).toBe(200);
        return res.json<TaskList>();
      };
    });

    it(`answers ${LIMITS.taskPageDefault} tasks by default, with the total of all of them`, async () => {
      const { tasks, total } = await page();
      expect(total).toBe(bulk);
      expect(tasks).toHaveLength(LIMITS.taskPageDefault);
      expect(tasks[0]?.title).toBe('task 001');
    });

    it('walks every task once with limit and offset, in a stable order', async () => {
      const seen: string[] = [];
      for (let offset = 0; offset < bulk; offset += 30) {
        const { tasks, total } = await page(`?limit=30&offset=${offset}`);
        expect(total).toBe(bulk);
        seen.push(...tasks.map((task) => task.title));
      }
      expect(seen).toHaveLength(bulk);
      expect(new Set(seen).size).toBe(bulk);
    });

    it('keeps filters and sorting across pages, and the total past the last page', async () => {
      expect(await page(`?status=completed&sort=title&limit=2&offset=1`)).toMatchObject({
        total: bulk / 2,
        tasks: [{ title: 'task 004' }, { title: 'task 006' }],
      });
      expect(await page(`?offset=${bulk + 5}`)).toEqual({ tasks: [], total: bulk });
    });

    it.each([`limit=${LIMITS.taskPageMax + 1}`, 'limit=0', 'offset=-1', 'limit=abc'])('422 for ?%s', async (query) => {
      const res = await asUser(ctx.app, pager)({ method: 'GET', url: `/tasks?${query}` });
      expectValidationError(res, ['query', query.split('=')[0] as string]);
    });
  });

  describe(`a cap of ${LIMITS.tasksPerUser} tasks per user`, () => {
    it('answers 409 with a clear detail once the user has the most tasks, and 201 again after a delete', async () => {
      const hoarder = await signUp(ctx.app);
      const asHoarder = asUser(ctx.app, hoarder);
      await ctx.db.query(
        "insert into tasks (user_id, title) select $1, 'filler ' || g from generate_series(1, $2::int) g",
        [hoarder.id, LIMITS.tasksPerUser - 1],
      );
      const last = await asHoarder({ method: 'POST', url: '/tasks', payload: { title: 'the last one' } });
      expect(last.statusCode).toBe(201);

      const over = await asHoarder({ method: 'POST', url: '/tasks', payload: { title: 'one too many' } });
      expect(over.statusCode).toBe(409);
      expect(over.json()).toEqual({ detail: expect.stringContaining(`up to ${LIMITS.tasksPerUser} tasks`) });
      const [row] = await ctx.db.query<{ n: number }>('select count(*)::int as n from tasks where user_id = $1', [
        hoarder.id,
      ]);
      expect(row?.n).toBe(LIMITS.tasksPerUser);

      expect((await asHoarder({ method: 'DELETE', url: `/tasks/${last.json<Task>().id}` })).statusCode).toBe(204);
      expect((await asHoarder({ method: 'POST', url: '/tasks', payload: { title: 'room again' } })).statusCode).toBe(
        201,
      );
      // Other users are not affected by one user's full list.
      expect((await as({ method: 'POST', url: '/tasks', payload: { title: 'mine' } })).statusCode).toBe(201);
    });
  });

  describe('422: invalid input', () => {
    let taskId: number;
    beforeAll(async () => {
      taskId = (await create({ title: 'Valid' })).id;
    });

    it.each([
      ['an empty title', { title: '' }, ['body', 'title']],
      ['a blank title', { title: '   ' }, ['body', 'title']],
      ['a title over 200 characters', { title: 'x'.repeat(201) }, ['body', 'title']],
      ['a description over 1000 characters', { title: 'ok', description: 'x'.repeat(1001) }, ['body', 'description']],
      ['a numeric title', { title: 123 }, ['body', 'title']],
      ['an array title', { title: ['a'] }, ['body', 'title']],
      ['a boolean description', { title: 'ok', description: true }, ['body', 'description']],
      ['no title', { description: 'orphan' }, ['body', 'title']],
      ['a NUL byte', { title: 'a\u0000b' }, ['body', 'title']],
    ])('POST with %s', async (_case, payload, loc) => {
      expectValidationError(await as({ method: 'POST', url: '/tasks', payload }), loc);
    });

    it.each([
      ['no field at all', {}, ['body']],
      ['a string for completed', { completed: 'yes' }, ['body', 'completed']],
      ['an unknown field', { priority: 1 }, ['body', 'priority']],
      ['an empty title', { title: '' }, ['body', 'title']],
    ])('PUT with %s', async (_case, payload, loc) => {
      expectValidationError(await as({ method: 'PUT', url: `/tasks/${taskId}`, payload }), loc);
    });

    it.each([
      ['?status=done', ['query', 'status']],
      ['?sort=priority', ['query', 'sort']],
      ['?status=', ['query', 'status']],
    ])('GET %s', async (query, loc) => {
      expectValidationError(await as({ method: 'GET', url: `/tasks${query}` }), loc);
    });

    it.each(['abc', '1.5', '-1', '0', '99999999999', '12abc', '%00'])('a task id of "%s"', async (id) => {
      for (const method of ['GET', 'DELETE', 'PUT'] as const) {
        const res = await as({ method, url: `/tasks/${id}`, ...(method === 'PUT' ? { payload: { title: 'x' } } : {}) });
        expectValidationError(res, ['path', 'id']);
      }
      expectValidationError(await as({ method: 'PATCH', url: `/tasks/${id}/complete` }), ['path', 'id']);
    });
  });

  describe('401, 403 and 404: one user can never touch another’s tasks', () => {
    let bob: TestUser;
    let alicesTask: Task;

    beforeAll(async () => {
      bob = await signUp(ctx.app, { name: 'Bob' });
      alicesTask = await create({ title: 'Alice only' });
    });

    it.each([
      ['no credentials', {}],
      ['a garbage token', { authorization: 'Bearer not-a-real-token' }],
      ['a malformed header', { authorization: 'Basic dXNlcjpwYXNz' }],
      ['a forged cookie', { cookie: 'better-auth.session_token=forged.signature' }],
    ])('401 with %s, on every verb', async (_case, headers) => {
      for (const [method, url] of [
        ['GET', '/tasks'],
        ['POST', '/tasks'],
        ['GET', `/tasks/${alicesTask.id}`],
        ['PUT', `/tasks/${alicesTask.id}`],
        ['DELETE', `/tasks/${alicesTask.id}`],
        ['PATCH', `/tasks/${alicesTask.id}/complete`],
      ] as const) {
        const res = await ctx.app.inject({
          method,
          url: `/api/${alice.id}${url}`,
          headers,
          payload: method === 'POST' || method === 'PUT' ? { title: 'x' } : undefined,
        });
        expect(res.statusCode).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Bearer');
        expect(res.json()).toEqual({ detail: expect.stringMatching(/not authenticated/i) });
      }
    });

    it('403 when the path names another user, before any lookup', async () => {
      for (const [method, url] of [
        ['GET', '/tasks'],
        ['POST', '/tasks'],
        ['GET', `/tasks/${alicesTask.id}`],
        ['DELETE', `/tasks/${alicesTask.id}`],
        ['PATCH', `/tasks/${alicesTask.id}/complete`],
      ] as const) {
        const res = await ctx.app.inject({
          method,
          url: `/api/${alice.id}${url}`,
          headers: bob.headers,
          payload: method === 'POST' ? { title: 'intruder' } : undefined,
        });
        expect(res.statusCode).toBe(403);
      }
    });

    it('404 for another user’s task id on every verb, and the task is untouched', async () => {
      const asBob = asUser(ctx.app, bob);
      expect((await asBob({ method: 'GET', url: `/tasks/${alicesTask.id}` })).statusCode).toBe(404);
      expect(
        (await asBob({ method: 'PUT', url: `/tasks/${alicesTask.id}`, payload: { title: 'pwned' } })).statusCode,
      ).toBe(404);
      expect((await asBob({ method: 'PATCH', url: `/tasks/${alicesTask.id}/complete` })).statusCode).toBe(404);
      expect((await asBob({ method: 'DELETE', url: `/tasks/${alicesTask.id}` })).statusCode).toBe(404);
      const notFound = await asBob({ method: 'GET', url: `/tasks/${alicesTask.id}` });
      expect(notFound.json()).toEqual({ detail: 'Task not found' });
      expect((await asBob({ method: 'GET', url: '/tasks' })).json()).toEqual({ tasks: [], total: 0 });

      const stillThere = await as({ method: 'GET', url: `/tasks/${alicesTask.id}` });
      expect(stillThere.json()).toEqual(alicesTask);
    });

    it('a missing id and another user’s id are indistinguishable', async () => {
      const asBob = asUser(ctx.app, bob);
      const other = await asBob({ method: 'GET', url: `/tasks/${alicesTask.id}` });
      const missing = await asBob({ method: 'GET', url: '/tasks/2147483647' });
      expect(other.statusCode).toBe(missing.statusCode);
      expect(other.body).toBe(missing.body);
    });
  });
});
