import type { FastifyInstance } from 'fastify';
import type { TaskList } from '@todo-stack/shared';
import { buildApp } from '../../src/app/app.js';
import { signUp, testConfig, type TestUser } from '../helper.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { TcpProxy } from '../support/tcp-proxy.js';

/** A real PostgreSQL behind a proxy we can cut: the backend reports the outage and recovers by itself. */
describe('database outage', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let app: FastifyInstance;
  let user: TestUser;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    if (db.config.kind !== 'postgres') throw new Error('needs PostgreSQL');
    const target = new URL(db.config.url);
    proxy = await new TcpProxy(target.hostname, Number(target.port)).start();
    const viaProxy = new URL(db.config.url);
    viaProxy.port = String(proxy.port);
    // The app opens its own pool through the proxy (no injected database).
    app = await buildApp(
      { ...testConfig(db), database: { ...db.config, url: viaProxy.toString() } },
      { logger: false },
    );
    user = await signUp(app);
    await app.inject({
      method: 'POST',
      url: `/api/${user.id}/tasks`,
      headers: user.headers,
      payload: { title: 'survives the outage' },
    });
  });

  afterAll(async () => {
    await app?.close();
    await proxy?.cut();
    await db?.dispose();
  });

  it('/ready is 503 and requests get a 503 while the database is gone, then 200 again without a restart', async () => {
    expect((await app.inject({ url: '/ready' })).statusCode).toBe(200);

    await proxy.cut();
    const ready = await app.inject({ url: '/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: 'unavailable', database: 'down' });
    const list = await app.inject({ url: `/api/${user.id}/tasks`, headers: user.headers });
    expect(list.statusCode).toBe(503);
    expect(list.json()).toEqual({ detail: 'The database is unavailable; try again shortly.' });
    const signIn = await app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      payload: { email: user.email, password: user.password },
    });
    expect(signIn.statusCode).toBe(503);
    expect((await app.inject({ url: '/health' })).statusCode).toBe(200);

    await proxy.restore();
    expect((await app.inject({ url: '/ready' })).statusCode).toBe(200);
    const after = await app.inject({ url: `/api/${user.id}/tasks`, headers: user.headers });
    expect(after.statusCode).toBe(200);
    expect(after.json<TaskList>().tasks.map((t) => t.title)).toEqual(['survives the outage']);
  });
});
