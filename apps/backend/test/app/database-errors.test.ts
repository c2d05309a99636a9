import type { FastifyInstance } from 'fastify';
import type { ChatResponse } from '@todo-stack/shared';
import { buildTestApp, captureLogs, signUp, type TestUser } from '../helper.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * A failing statement must not carry its SQL text or its parameters (session tokens, password hashes, what the user
 * typed) into an answer, a stored chat message or a log line. The failures are real: a trigger makes every write
 * to `tasks` and `sessions` raise, so Drizzle's error holds the statement and its parameters.
 */
describe('database errors keep their statements and parameters to themselves', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let user: TestUser;
  let passwordHash: string;
  const logs = captureLogs('debug');
  const { lines } = logs;
  const STATEMENT = /\b(insert into|delete from|update "|select .* from)\b|"tasks"\."|params:/i;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await buildTestApp(db, { LOG_LEVEL: 'debug' }, { logger: logs.logger });
    user = await signUp(app, { password: 'a-password-never-logged' });
    const [account] = await db.query<{ password: string }>('select password from accounts where user_id = $1', [
      user.id,
    ]);
    passwordHash = account?.password as string;
    for (const statement of [
      `create function refuse_writes() returns trigger language plpgsql as $$
       begin raise exception 'forced failure for %', tg_table_name; end $$`,
      'create trigger refuse_task_writes before insert or update or delete on tasks for each row execute function refuse_writes()',
      'create trigger refuse_session_writes before insert or update or delete on sessions for each row execute function refuse_writes()',
    ])
      await db.query(statement);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await db?.dispose();
  });

  const expectNothingInternal = (text: string) => {
    expect(text).not.toMatch(STATEMENT);
    expect(text).not.toContain(user.token);
    expect(text).not.toContain(passwordHash);
    expect(text).not.toContain('forced failure');
  };

  it('REST: 500 with a generic detail', async () => {
    const res = await app.inject({
      method: 'POST',
      url: `/api/${user.id}/tasks`,
      headers: user.headers,
      payload: { title: 'secret plans' },
    });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ detail: 'Internal server error' });
  });

  it('MCP: the tool answers a generic error with the request id to quote', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/mcp',
      headers: {
        ...user.headers,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'x-request-id': 'mcp-db-failure-1',
      },
      payload: {
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'add_task', arguments: { title: 'secret plans' } },
      },
    });
    expect(res.statusCode).toBe(200);
    const { result } = res.json<{ result: { isError: boolean; structuredContent: { error: string } } }>();
    expect(result.isError).toBe(true);
    expect(result.structuredContent.error).toBe('The add_task tool failed. Reference: mcp-db-failure-1');
    expectNothingInternal(res.body);
  });

  it('chat: the stored reply and its tool calls hold no statement', async () => {
    const res = await app.inject({
      method: 'POST',
      url: `/api/${user.id}/chat`,
      headers: user.headers,
      payload: { message: 'add secret plans' },
    });
    expect(res.statusCode).toBe(200);
    const { conversation_id: id, tool_calls: calls } = res.json<ChatResponse>();
    expect(calls).toEqual([
      expect.objectContaining({ tool: 'add_task', result: { error: expect.stringContaining('Reference:') } }),
    ]);
    const stored = await db.query<{ content: string; tool_calls: unknown }>(
      'select content, tool_calls from messages where conversation_id = $1',
      [id],
    );
    expectNothingInternal(JSON.stringify(stored));
    expectNothingInternal(res.body);
  });

  it('auth: a failing session delete (the token is its parameter) leaks nothing', async () => {
    // Better Auth logs the failure and signs the client out anyway.
    const res = await app.inject({ method: 'POST', url: '/api/auth/sign-out', headers: user.headers });
    expectNothingInternal(res.body);
    expect(lines.join('\n')).toContain('Failed to delete session');
  });

  it('no log line holds the session token, the password hash or statement text, yet the failures are logged', async () => {
    const errors = lines.filter((line) => /"level":50/.test(line));
    expect(errors.length).toBeGreaterThanOrEqual(4);
    expect(lines.join('\n')).toContain('Database error P0001');
    for (const line of lines) expectNothingInternal(line);
  });
});
