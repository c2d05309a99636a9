import type { FastifyInstance, InjectOptions } from 'fastify';
import { setupTestApp, signUp, uniqueEmail, type TestUser } from '../../helper.js';

/**
 * A few hundred hostile or malformed requests against every route: none may cause a 5xx, and none
 * may write anything. Values that are valid text (SQL fragments, exotic unicode) must be stored
 * verbatim, which shows they reach the database as parameters, never as SQL.
 */

const HUGE = 'x'.repeat(200_000); // over the 100 KB body limit
const LONG = 'y'.repeat(5_000);

/** Values of the wrong type or shape for any string field. */
const badValues: unknown[] = [
  null,
  0,
  -1,
  1.5,
  true,
  [],
  ['a'],
  {},
  { $ne: null },
  '',
  '   ',
  '\u0000',
  'abc\u0000def',
  LONG,
];

/** Valid text that must round-trip unchanged. */
const nastyButValidText = [
  "'; DROP TABLE tasks; --",
  "' OR '1'='1",
  'Robert"); DELETE FROM users; --',
  '$1 $2 %s %d {{7*7}} ${7*7}',
  '<script>alert(1)</script>',
  '🧪🔥 émoji ünïcödé 漢字 مرحبا עברית',
  'e\u0301 combining + ZWJ 👩‍💻',
  '\u202Eright-to-left override',
  'line\nbreak\ttab',
  '\\x00 not a real NUL',
];

const rawBodies = [
  '{',
  '{"title": }',
  '{"title": "a",}',
  "{'title': 'single quotes'}",
  '[1, 2, 3]',
  '"just a string"',
  'null',
  '42',
  '{"title": "a"}{"title": "b"}',
  '{"__proto__": {"admin": true}, "title": "proto"}',
  '{"constructor": {"prototype": {"admin": true}}, "title": "ctor"}',
  '\u0000',
  '',
];

/**
 * Malformed JSON of every kind, each under the 100 KB body limit: whatever the route, a 4xx. Deep nesting would
 * overflow the stack of anything that recurses (ajv, zod, JSON.stringify on the way to Better Auth); bad UTF-8
 * would be stored as U+FFFD; duplicate, `__proto__` and `constructor` keys and numbers out of range parse, and
 * then must fail validation (each here has an invalid last value).
 */
const DEEP = 45_000;
const malformedJson: [label: string, payload: string | Buffer][] = [
  ['deep arrays', '['.repeat(DEEP) + ']'.repeat(DEEP)],
  ['deep arrays, unclosed', '['.repeat(2 * DEEP)],
  ['deep objects', '{"a":'.repeat(DEEP / 3) + '1' + '}'.repeat(DEEP / 3)],
  ['deep value in every field', `{"title":${'['.repeat(DEEP / 2)}${']'.repeat(DEEP / 2)}}`],
  [
    'deep JSON-RPC params',
    `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":${'{"a":'.repeat(DEEP / 3)}1${'}'.repeat(DEEP / 3)}}`,
  ],
  // Otherwise a valid task (decoded leniently it would be stored as "a\uFFFD\uFFFD b\uFFFD\uFFFD") or message.
  [
    'bad UTF-8 in a title',
    Buffer.from([...Buffer.from('{"title":"a'), 0xff, 0xfe, 0x20, 0x62, 0xc0, 0xaf, 0x22, 0x7d]),
  ],
  ['bad UTF-8 in a message', Buffer.from([...Buffer.from('{"message":"hi '), 0xed, 0xa0, 0x80, 0x22, 0x7d])],
  ['truncated UTF-8', Buffer.from([...Buffer.from('{"title":"'), 0xe2, 0x82])],
  ['lone surrogate escape', '{"title":"\\ud800","message":"\\udfff","email":"\\ud800@x.io","password":"\\ud800"}'],
  [
    'duplicate keys, last invalid',
    '{"title":"ok","title":null,"message":"hi","message":null,"email":"a@b.io","email":7,"jsonrpc":"2.0","jsonrpc":1}',
  ],
  ['__proto__ key', '{"__proto__":{"title":"x","message":"x"}}'],
  ['nested __proto__ key', '{"title":{"__proto__":{"x":1}},"message":{"__proto__":{}}}'],
  ['constructor key', '{"constructor":{"prototype":{"title":"x"}},"message":{"constructor":{"prototype":{}}}}'],
  [
    'numbers out of range',
    '{"title":1e400,"message":-1e400,"conversation_id":1e400,"email":1e400,"password":1e400,"task_id":1e400}',
  ],
  ['huge integer literal', `{"title":${'9'.repeat(50_000)},"conversation_id":${'9'.repeat(40_000)}}`],
];

/** Long adversarial text at and over each limit: worst cases for text patterns and the chat parser. */
const adversarialText = (limit: number): [label: string, value: string][] => [
  [`${limit} spaces then NUL`, ' '.repeat(limit - 1) + '\u0000'],
  [`${limit + 1} spaces then NUL`, ' '.repeat(limit) + '\u0000'],
  [`${limit} tabs and newlines`, '\t\n'.repeat(limit / 2)],
  [`${limit} quotes`, '"'.repeat(limit)],
  [`${limit + 1} single quotes`, "'".repeat(limit + 1)],
  [`${limit} mixed unicode ending in NUL`, '\u00a0\u2028\u3000 '.repeat(limit / 4 - 1) + '\u2003\u0000'],
  [`${limit * 20} spaces then NUL`, ' '.repeat(limit * 20) + '\u0000'],
];

/** Invalid text for a field: a NUL, over the limit, or blank where visible text is required (not descriptions). */
const isInvalid = (value: string, limit: number, blankAllowed = limit === 1000) =>
  value.includes('\u0000') || (!blankAllowed && value.trim() === '') || value.length > limit;

const badIds = ['abc', '-1', '0', '1.5', '99999999999', '1;DROP TABLE tasks', "1'", '%00', 'NaN', 'Infinity', '0x10'];

interface Case {
  name: string;
  request: InjectOptions;
}

function cases(user: TestUser, taskId: number): Case[] {
  const base = `/api/${user.id}/tasks`;
  const list: Case[] = [];
  const json = (method: 'POST' | 'PUT', url: string, payload: unknown, label: string) =>
    list.push({
      name: `${method} ${label}`,
      request: { method, url, payload: JSON.stringify(payload), headers: { 'content-type': 'application/json' } },
    });

  for (const value of badValues) {
    const label = JSON.stringify(value).slice(0, 30);
    json('POST', base, { title: value }, `task title=${label}`);
    json(
      'POST',
      base,
      { title: 'ok', description: value === '' || value === '   ' || value === null ? 0 : value },
      `task description=${label}`,
    );
    json('PUT', `${base}/${taskId}`, { title: value }, `task title=${label}`);
    if (typeof value !== 'boolean') json('PUT', `${base}/${taskId}`, { completed: value }, `task completed=${label}`);
    json(
      'POST',
      '/api/auth/sign-up/email',
      { email: value, password: 'correct-horse-battery', name: 'n' },
      `sign-up email=${label}`,
    );
    json(
      'POST',
      '/api/auth/sign-up/email',
      { email: uniqueEmail(), password: value, name: 'n' },
      `sign-up password=${label}`,
    );
    json('POST', '/api/auth/sign-in/email', { email: value, password: 'x' }, `sign-in email=${label}`);
  }
  for (const body of rawBodies) {
    for (const [method, url] of [
      ['POST', base],
      ['PUT', `${base}/${taskId}`],
      ['POST', '/api/auth/sign-up/email'],
      ['POST', '/api/auth/sign-in/email'],
    ] as const) {
      list.push({
        name: `${method} ${url} raw ${JSON.stringify(body).slice(0, 20)}`,
        request: { method, url, payload: body, headers: { 'content-type': 'application/json' } },
      });
    }
  }
  for (const id of badIds) {
    const encoded = encodeURIComponent(id);
    for (const [method, url] of [
      ['GET', `${base}/${encoded}`],
      ['DELETE', `${base}/${encoded}`],
      ['PATCH', `${base}/${encoded}/complete`],
    ] as const) {
      list.push({ name: `${method} id=${id}`, request: { method, url } });
    }
    json('PUT', `${base}/${encoded}`, { title: 'x' }, `id=${id}`);
  }
  for (const query of [
    'status=done',
    'status[]=all',
    'sort=title;drop',
    'status=%00',
    `status=${LONG}`,
    'sort=created&sort=title&sort=x',
    'extra=1',
  ]) {
    list.push({ name: `GET ?${query.slice(0, 30)}`, request: { method: 'GET', url: `${base}?${query}` } });
  }
  for (const [method, url] of [
    ['POST', base],
    ['PUT', `${base}/${taskId}`],
    ['POST', '/api/auth/sign-up/email'],
    ['POST', '/api/auth/sign-in/email'],
  ] as const) {
    list.push({
      name: `${method} ${url} oversized`,
      request: {
        method,
        url,
        payload: JSON.stringify({ title: HUGE }),
        headers: { 'content-type': 'application/json' },
      },
    });
    list.push({
      name: `${method} ${url} as text/plain`,
      request: { method, url, payload: 'title=hello', headers: { 'content-type': 'text/plain' } },
    });
    list.push({
      name: `${method} ${url} as form`,
      request: {
        method,
        url,
        payload: 'title=hello',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
    });
    list.push({
      name: `${method} ${url} as xml`,
      request: { method, url, payload: '<title>x</title>', headers: { 'content-type': 'application/xml' } },
    });
  }
  for (const userId of ['..', '%2e%2e', "x' OR 1=1", 'a'.repeat(300), '%00']) {
    list.push({ name: `GET user_id=${userId.slice(0, 20)}`, request: { method: 'GET', url: `/api/${userId}/tasks` } });
  }

  // Chat and its history.
  const chat = `/api/${user.id}/chat`;
  for (const value of badValues) {
    const label = JSON.stringify(value).slice(0, 30);
    json('POST', chat, { message: value }, `chat message=${label}`);
    if (typeof value !== 'string' || value === '')
      json('POST', chat, { message: 'hello', conversation_id: value }, `chat conversation_id=${label}`);
  }
  json('POST', chat, { message: 'x'.repeat(5001) }, 'chat message over 5000');
  json('POST', chat, { message: 'hello', conversation_id: 2147483647 }, 'chat unknown conversation');
  json('POST', chat, { message: 'hello', extra: 1 }, 'chat unknown field');
  for (const body of rawBodies) {
    list.push({
      name: `POST chat raw ${JSON.stringify(body).slice(0, 20)}`,
      request: { method: 'POST', url: chat, payload: body, headers: { 'content-type': 'application/json' } },
    });
  }
  for (const id of badIds) {
    list.push({
      name: `GET conversation id=${id}`,
      request: { method: 'GET', url: `/api/${user.id}/conversations/${encodeURIComponent(id)}` },
    });
  }
  list.push({ name: 'GET conversations ?extra', request: { method: 'GET', url: `/api/${user.id}/conversations/0` } });

  // MCP: one JSON-RPC message per POST, validated by the tools' schemas.
  const mcpHeaders = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const rpc = (label: string, payload: unknown) =>
    list.push({
      name: `POST /mcp ${label}`,
      request: { method: 'POST', url: '/mcp', headers: mcpHeaders, payload: JSON.stringify(payload) },
    });
  rpc('batch', [{ jsonrpc: '2.0', id: 1, method: 'tools/list' }]);
  rpc('not JSON-RPC', { hello: 'world' });
  rpc('no method', { jsonrpc: '2.0', id: 1 });
  for (const body of rawBodies) {
    list.push({
      name: `POST /mcp raw ${JSON.stringify(body).slice(0, 20)}`,
      request: { method: 'POST', url: '/mcp', payload: body, headers: mcpHeaders },
    });
  }
  list.push({
    name: 'POST /mcp oversized',
    request: {
      method: 'POST',
      url: '/mcp',
      headers: mcpHeaders,
      payload: JSON.stringify({ jsonrpc: '2.0', id: 1, method: HUGE }),
    },
  });
  list.push({
    name: 'POST /mcp as text/plain',
    request: { method: 'POST', url: '/mcp', payload: 'tools/list', headers: { 'content-type': 'text/plain' } },
  });

  // Sign-out and the session routes, with a session that does not exist (a real one would legitimately be ended).
  const forged = { authorization: 'Bearer forged-token-that-is-not-a-session' };
  for (const url of [
    '/api/auth/sign-out',
    '/api/auth/revoke-session',
    '/api/auth/revoke-sessions',
    '/api/auth/revoke-other-sessions',
    '/api/auth/update-user',
    '/api/auth/change-password',
  ]) {
    // Signing out without a session is a successful no-op (200), not an error: only the other routes refuse it.
    if (url !== '/api/auth/sign-out')
      list.push({
        name: `POST ${url} forged session`,
        request: { method: 'POST', url, headers: { ...forged, 'content-type': 'application/json' }, payload: '{}' },
      });
    for (const body of rawBodies.slice(0, 6)) {
      list.push({
        name: `POST ${url} raw ${JSON.stringify(body).slice(0, 20)}`,
        request: { method: 'POST', url, headers: { ...forged, 'content-type': 'application/json' }, payload: body },
      });
    }
    list.push({
      name: `POST ${url} oversized`,
      request: {
        method: 'POST',
        url,
        headers: { ...forged, 'content-type': 'application/json' },
        payload: JSON.stringify({ token: HUGE }),
      },
    });
  }
  // Malformed JSON on every route that takes a body, Better Auth's and /mcp included.
  for (const [method, url] of [
    ['POST', base],
    ['PUT', `${base}/${taskId}`],
    ['POST', chat],
    ['POST', '/mcp'],
    ['POST', '/api/auth/sign-up/email'],
    ['POST', '/api/auth/sign-in/email'],
    ['POST', '/api/auth/revoke-session'],
    ['POST', '/api/auth/update-user'],
    ['POST', '/api/auth/change-password'],
  ] as const) {
    for (const [label, payload] of malformedJson) {
      list.push({
        name: `${method} ${url} ${label}`,
        request: { method, url, payload, headers: { ...mcpHeaders, ...(url.startsWith('/api/auth') ? forged : {}) } },
      });
    }
  }
  // Long adversarial strings in every text field (REST, auth, chat, the MCP tools); each one invalid (NUL, blank
  // or over the limit). Valid long text is the subject of the verbatim tests below.
  const fields: [label: string, limit: number, send: (value: string) => void][] = [
    ['task title', 200, (v) => json('POST', base, { title: v }, 'task title')],
    ['task description', 1000, (v) => json('POST', base, { title: 'ok', description: v }, 'task description')],
    ['task title (update)', 200, (v) => json('PUT', `${base}/${taskId}`, { title: v }, 'task title')],
    ['chat message', 5000, (v) => json('POST', chat, { message: v }, 'chat message')],
    [
      'sign-up name',
      100,
      (v) =>
        json(
          'POST',
          '/api/auth/sign-up/email',
          { email: uniqueEmail(), password: 'correct-horse-battery', name: v },
          'name',
        ),
    ],
    [
      'sign-up email',
      254,
      (v) =>
        json('POST', '/api/auth/sign-up/email', { email: v, password: 'correct-horse-battery', name: 'n' }, 'email'),
    ],
    [
      'sign-in password',
      128,
      (v) => json('POST', '/api/auth/sign-in/email', { email: 'a@b.io', password: v }, 'password'),
    ],
  ];
  for (const [, limit, send] of fields)
    for (const [, value] of adversarialText(limit)) if (isInvalid(value, limit)) send(value);
  return list;
}

/**
 * Row count and newest change of every table the app owns. Rate-limit counters are left out: counting requests,
 * hostile ones included, is their job.
 */
async function snapshot(app: FastifyInstance, db: { query: (sql: string) => Promise<Record<string, unknown>[]> }) {
  void app;
  const tables = await db.query(
    "select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'rate_limits' order by 1",
  );
  expect(tables.length).toBeGreaterThanOrEqual(7);
  const state: Record<string, unknown> = {};
  for (const { name } of tables) {
    const [row] = await db.query(
      `select count(*)::int as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest from "${String(name)}" t`,
    );
    state[String(name)] = row;
  }
  return state;
}

describe('hostile and malformed input', () => {
  const ctx = setupTestApp({ SIGN_IN_RATE_LIMIT: '10000', AUTH_RATE_LIMIT: '10000' });
  let user: TestUser;
  let taskId: number;

  beforeAll(async () => {
    user = await signUp(ctx.app);
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/api/${user.id}/tasks`,
      headers: user.headers,
      payload: { title: 'baseline' },
    });
    taskId = res.json<{ id: number }>().id;
  });

  it('never answers 5xx and writes nothing', async () => {
    const all = cases(user, taskId);
    expect(all.length).toBeGreaterThan(200);
    const before = await snapshot(ctx.app, ctx.db);
    const failures: string[] = [];
    for (const { name, request } of all) {
      const res = await ctx.app.inject({ ...request, headers: { ...user.headers, ...request.headers } });
      // The route answered an error, and it was an error the client caused: JSON in the API's shape.
      if (res.statusCode >= 500 || res.statusCode < 400)
        failures.push(`${name} -> ${res.statusCode} ${res.body.slice(0, 120)}`);
      else if (!/^application\/json/.test(String(res.headers['content-type'])))
        failures.push(`${name} -> non-JSON error body`);
      else if (!('detail' in res.json<object>()) && !(request.url === '/mcp' && 'error' in res.json<object>()))
        failures.push(`${name} -> error without detail: ${res.body.slice(0, 120)}`);
    }
    expect(failures).toEqual([]);
    expect(await snapshot(ctx.app, ctx.db)).toEqual(before);
  }, 600_000); // hundreds of requests, some of them 100 KB of malformed JSON

  it.each(nastyButValidText)('stores %j verbatim as a title and a description', async (text) => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/api/${user.id}/tasks`,
      headers: user.headers,
      payload: { title: text.slice(0, 200), description: text },
    });
    expect(res.statusCode).toBe(201);
    const created = res.json<{ id: number; title: string; description: string }>();
    const read = await ctx.app.inject({
      method: 'GET',
      url: `/api/${user.id}/tasks/${created.id}`,
      headers: user.headers,
    });
    expect(read.json()).toMatchObject({ title: text.slice(0, 200), description: text });
    const [row] = await ctx.db.query<{ tables: number }>(
      "select count(*)::int as tables from information_schema.tables where table_name in ('tasks', 'users')",
    );
    expect(row?.tables).toBe(2);
  });

  it("refuses long adversarial strings in the MCP tools' text arguments as tool errors, and stays responsive", async () => {
    const call = (name: string, args: Record<string, unknown>) =>
      ctx.app.inject({
        method: 'POST',
        url: '/mcp',
        headers: { ...user.headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        payload: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } },
      });
    const before = await snapshot(ctx.app, ctx.db);
    const answers: string[] = [];
    for (const [name, field, limit, extra] of [
      ['add_task', 'title', 200, {}],
      ['add_task', 'description', 1000, { title: 'ok' }],
      ['update_task', 'title', 200, { task_id: taskId }],
      ['update_task', 'description', 1000, { task_id: taskId }],
    ] as const) {
      for (const [label, value] of adversarialText(limit)) {
        if (!isInvalid(value, limit)) continue;
        const res = await call(name, { ...extra, [field]: value });
        const body =
          res.statusCode === 200 ? res.json<{ result?: { isError?: boolean }; error?: unknown }>() : undefined;
        const refused = res.statusCode === 413 || body?.result?.isError === true || body?.error !== undefined;
        answers.push(
          `${name}.${field} ${label}: ${res.statusCode}${refused ? ' refused' : ` ${res.body.slice(0, 80)}`}`,
        );
      }
    }
    expect(answers.filter((answer) => !answer.endsWith(' refused'))).toEqual([]);
    expect(answers.length).toBe(22);
    expect(await snapshot(ctx.app, ctx.db)).toEqual(before);
    expect((await ctx.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  }, 300_000);

  it('a prototype-pollution attempt pollutes nothing', async () => {
    expect(({} as Record<string, unknown>)['admin']).toBeUndefined();
  });
});
