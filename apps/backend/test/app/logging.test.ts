import { buildTestApp, captureLogs, signUp } from '../helper.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** Structured JSON access logs, and nothing secret in them. */
describe('logs', () => {
  let db: TestDatabase;
  const logs = captureLogs('info');

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.dispose();
  });

  it('one line per request with request id, route, status, user and latency; no password, token or cookie', async () => {
    const app = await buildTestApp(db, { LOG_LEVEL: 'info' }, { logger: logs.logger });
    try {
      const user = await signUp(app, { password: 'hunter2-but-longer' });
      await app.inject({
        method: 'POST',
        url: '/api/auth/sign-in/email',
        payload: { email: user.email, password: 'wrong-password-123' },
      });
      await app.inject({ url: `/api/${user.id}/tasks`, headers: { ...user.headers, 'x-request-id': 'req-42' } });
    } finally {
      await app.close();
    }

    const lines = logs.records();
    const access = lines.find((line) => line['request_id'] === 'req-42');
    expect(access).toMatchObject({
      msg: 'request completed',
      method: 'GET',
      route: '/api/:user_id/tasks',
      status: 200,
      user_id: expect.any(String),
      latency_ms: expect.any(Number),
    });
    const text = JSON.stringify(lines);
    expect(text).not.toContain('hunter2-but-longer');
    expect(text).not.toContain('wrong-password-123');
    expect(text).not.toMatch(/Bearer [A-Za-z0-9]/);
    expect(text).not.toContain('session_token=');
  });

  it('logs URLs without their credentials (errors, messages) and request URLs without their query', async () => {
    const app = await buildTestApp(db, { LOG_LEVEL: 'info' }, { logger: logs.logger });
    try {
      const failure = new Error('connect ECONNREFUSED postgres://todo:hunter2-db@db:5432/todo', {
        cause: new Error('fetch failed for https://key:hunter2-llm@llm.local/v1'),
      });
      app.log.error({ err: failure }, 'database unreachable');
      app.log.warn('retrying postgres://todo:hunter2-msg@db:5432/todo');
      await app.inject({ url: '/api/someone/tasks?token=hunter2-query' });
    } finally {
      await app.close();
    }
    const text = logs.lines.join('\n');
    expect(text).toContain('postgres://***@db:5432/todo');
    expect(text).toContain('https://***@llm.local/v1');
    expect(text).not.toMatch(/hunter2/);
  });
});
