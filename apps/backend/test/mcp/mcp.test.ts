import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { LIMITS, TOOL_NAMES } from '@todo-stack/shared';
import { createTaskMcpServer } from '../../src/mcp/server.js';
import { setupTestApp, signUp, type TestUser } from '../helper.js';

type Connect = (user: TestUser) => Promise<Client>;

/** Calls a tool and returns its result object (structured content) and whether MCP flagged an error. */
async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = await client.callTool({ name, arguments: args });
  const text = (result.content as { type: string; text: string }[])[0]?.text ?? '';
  return { isError: Boolean(result.isError), data: (result.structuredContent ?? { text }) as Record<string, unknown> };
}

describe('MCP task tools', () => {
  const ctx = setupTestApp();
  let alice: TestUser;
  let bob: TestUser;
  let baseUrl: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    alice = await signUp(ctx.app, { name: 'Alice' });
    bob = await signUp(ctx.app, { name: 'Bob' });
    baseUrl = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
  });

  /** A real MCP client connected to a fresh server for `user` over the SDK's in-memory transport. */
  const inMemory: Connect = async (user) => {
    const server = createTaskMcpServer(ctx.app.tasksRepository, user.id, { requestId: 'test', log: ctx.app.log });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(clientSide);
    clients.push(client);
    return client;
  };

  /** A real MCP client talking to the listening app's /mcp with the user's bearer token. */
  const overHttp: Connect = async (user) => {
    const transport = new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), {
      requestInit: { headers: user.headers },
    });
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(transport);
    clients.push(client);
    return client;
  };

  describe.each([
    ['in-memory transport', inMemory],
    ['streamable HTTP at /mcp', overHttp],
  ] as [string, Connect][])('over the %s', (_label, connect) => {
    it('lists the five tools with input schemas', async () => {
      const client = await connect(alice);
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual([...TOOL_NAMES].sort());
      const complete = tools.find((tool) => tool.name === 'complete_task');
      expect(complete?.inputSchema).toMatchObject({ type: 'object', required: ['task_id'] });
      // The user is never a tool argument.
      for (const tool of tools) expect(Object.keys(tool.inputSchema.properties ?? {})).not.toContain('user_id');
    });

    it('add, list, update, complete and delete a task (happy path)', async () => {
      const client = await connect(alice);
      const added = await call(client, 'add_task', { title: 'Buy milk', description: '2 litres' });
      expect(added).toEqual({
        isError: false,
        data: { task_id: expect.any(Number), status: 'created', title: 'Buy milk' },
      });
      const id = added.data['task_id'] as number;
      expect(await ctx.app.tasksRepository.get(alice.id, id)).toMatchObject({
        title: 'Buy milk',
        description: '2 litres',
        completed: false,
      });

      const listed = await call(client, 'list_tasks', { status: 'pending' });
      expect(listed.data['tasks']).toContainEqual({ id, title: 'Buy milk', description: '2 litres', completed: false });

      expect((await call(client, 'update_task', { task_id: id, title: 'Buy oat milk' })).data).toEqual({
        task_id: id,
        status: 'updated',
        title: 'Buy oat milk',
      });
      expect((await call(client, 'complete_task', { task_id: id })).data).toEqual({
        task_id: id,
        status: 'completed',
        title: 'Buy oat milk',
      });
      const completed = await call(client, 'list_tasks', { status: 'completed' });
      expect(completed.data['tasks']).toContainEqual(expect.objectContaining({ id, completed: true }));
      const pending = await call(client, 'list_tasks', { status: 'pending' });
      expect(pending.data['tasks']).not.toContainEqual(expect.objectContaining({ id }));

      expect((await call(client, 'delete_task', { task_id: id })).data).toEqual({
        task_id: id,
        status: 'deleted',
        title: 'Buy oat milk',
      });
      expect(await ctx.app.tasksRepository.get(alice.id, id)).toBeUndefined();
    });

    it('an unknown task is an error, never a success', async () => {
      const client = await connect(alice);
      for (const tool of ['complete_task', 'delete_task']) {
        expect(await call(client, tool, { task_id: 999_999 })).toEqual({
          isError: true,
          data: { error: 'Task 999999 not found' },
        });
      }
      expect(await call(client, 'update_task', { task_id: 999_999, title: 'x' })).toEqual({
        isError: true,
        data: { error: 'Task 999999 not found' },
      });
    });

    it('rejects invalid arguments with the schema', async () => {
      const client = await connect(alice);
      const bad = await call(client, 'add_task', { title: '' });
      expect(bad.isError).toBe(true);
      const wrongType = await call(client, 'complete_task', { task_id: 'one' });
      expect(wrongType.isError).toBe(true);
    });

    it.each([
      ['add_task', { title: 'a\u0000b' }],
      ['add_task', { title: '   ' }],
      ['add_task', { title: 'x'.repeat(201) }],
      ['add_task', { title: 'ok', description: 'nul \u0000 inside' }],
      ['update_task', { task_id: 1, title: '\u0000' }],
      ['update_task', { task_id: 1, description: 'x'.repeat(1001) }],
    ])('%s refuses %j as the REST API does, before any SQL runs', async (tool, args) => {
      const client = await connect(alice);
      const before = await ctx.db.query<{ n: number }>('select count(*)::int as n from tasks');
      const result = await call(client, tool, args);
      expect(result.isError).toBe(true);
      expect(JSON.stringify(result.data)).not.toMatch(/insert into|update "tasks"|params:/i);
      expect(await ctx.db.query('select count(*)::int as n from tasks')).toEqual(before);
    });

    it('list_tasks answers one bounded page and the total; add_task says when the list is full', async () => {
      const carol = await signUp(ctx.app);
      const client = await connect(carol);
      await ctx.db.query(
        "insert into tasks (user_id, title) select $1, 'filler ' || g from generate_series(1, $2::int) g",
        [carol.id, LIMITS.tasksPerUser],
      );
      const first = await call(client, 'list_tasks', {});
      expect(first.data['total']).toBe(LIMITS.tasksPerUser);
      expect(first.data['tasks']).toHaveLength(LIMITS.taskPageDefault);
      const later = await call(client, 'list_tasks', { limit: 7, offset: LIMITS.tasksPerUser - 3 });
      expect(later.data).toMatchObject({ total: LIMITS.tasksPerUser, tasks: expect.any(Array) });
      expect(later.data['tasks']).toHaveLength(3);
      expect((await call(client, 'list_tasks', { limit: LIMITS.taskPageMax + 1 })).isError).toBe(true);

      expect(await call(client, 'add_task', { title: 'one too many' })).toEqual({
        isError: true,
        data: { error: expect.stringContaining(`up to ${LIMITS.tasksPerUser} tasks`) },
      });
    });

    it("user B can never see, change or delete user A's tasks", async () => {
      const asAlice = await connect(alice);
      const asBob = await connect(bob);
      const secret = (await call(asAlice, 'add_task', { title: 'Alice private' })).data['task_id'] as number;

      const bobs = await call(asBob, 'list_tasks', {});
      expect(bobs.data['tasks']).not.toContainEqual(expect.objectContaining({ id: secret }));
      expect(JSON.stringify(bobs.data)).not.toContain('Alice private');
      for (const [tool, args] of [
        ['complete_task', { task_id: secret }],
        ['update_task', { task_id: secret, title: 'hacked' }],
        ['delete_task', { task_id: secret }],
      ] as const) {
        expect(await call(asBob, tool, args)).toEqual({ isError: true, data: { error: `Task ${secret} not found` } });
      }
      // An extra user_id argument is not part of the schema and changes nothing.
      await call(asBob, 'delete_task', { task_id: secret, user_id: alice.id });
      expect(await ctx.app.tasksRepository.get(alice.id, secret)).toMatchObject({
        title: 'Alice private',
        completed: false,
      });
      // Bob's own task stays his.
      const bobTask = (await call(asBob, 'add_task', { title: 'Bob only' })).data['task_id'] as number;
      expect(await ctx.app.tasksRepository.get(alice.id, bobTask)).toBeUndefined();
      expect(await ctx.app.tasksRepository.get(bob.id, bobTask)).toMatchObject({ user_id: bob.id });
    });
  });

  describe('/mcp authentication', () => {
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    };
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

    it('answers 401 without a session or with a bad token', async () => {
      for (const extra of [{}, { authorization: 'Bearer not-a-token' }] as Record<string, string>[]) {
        const res = await fetch(`${baseUrl}/mcp`, {
          method: 'POST',
          headers: { ...headers, ...extra },
          body: JSON.stringify(initialize),
        });
        expect(res.status).toBe(401);
        expect(await res.json()).toEqual({ detail: expect.stringContaining('Not authenticated') });
      }
    });

    it('an MCP client without credentials cannot connect', async () => {
      const client = new Client({ name: 'anonymous', version: '1.0.0' });
      await expect(client.connect(new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`)))).rejects.toThrow();
    });

    it('accepts the bearer token on a plain JSON-RPC call', async () => {
      const res = await fetch(`${baseUrl}/mcp`, {
        method: 'POST',
        headers: { ...headers, ...alice.headers },
        body: JSON.stringify(initialize),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        jsonrpc: '2.0',
        id: 1,
        result: { serverInfo: { name: 'todo-stack-tasks' } },
      });
    });

    it("answers with the API's security headers and the request id, though the transport writes the response", async () => {
      const res = await fetch(`${baseUrl}/mcp`, {
        method: 'POST',
        headers: { ...headers, ...alice.headers, 'x-request-id': 'mcp-trace-1' },
        body: JSON.stringify(initialize),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toBeTruthy();
      expect(res.headers.get('x-request-id')).toBe('mcp-trace-1');
    });

    it('refuses JSON-RPC batches, so one request is one call against the rate limit', async () => {
      const before = await ctx.db.query<{ n: number }>('select count(*)::int as n from tasks');
      const add = (id: number) => ({
        jsonrpc: '2.0',
        id,
        method: 'tools/call',
        params: { name: 'add_task', arguments: { title: `batched ${id}` } },
      });
      const res = await fetch(`${baseUrl}/mcp`, {
        method: 'POST',
        headers: { ...headers, ...alice.headers },
        body: JSON.stringify([add(1), add(2), add(3)]),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        error: { code: -32600 },
        detail: expect.stringContaining('batches are not supported'),
      });
      expect(await ctx.db.query('select count(*)::int as n from tasks')).toEqual(before);
    });

    it('is stateless: GET and DELETE (session streams) answer 405', async () => {
      for (const method of ['GET', 'DELETE']) {
        const res = await fetch(`${baseUrl}/mcp`, {
          method,
          headers: { ...alice.headers, accept: 'text/event-stream' },
        });
        expect(res.status).toBe(405);
      }
    });
  });
});

describe('/mcp rate limit (per user)', () => {
  const ctx = setupTestApp({ MCP_RATE_LIMIT: '2', MCP_RATE_WINDOW_SECONDS: '60' });
  const listTools = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} };

  it('answers 429 in the error shape after the limit, per user', async () => {
    const baseUrl = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const [carol, dave] = await Promise.all([signUp(ctx.app), signUp(ctx.app)]);
    const post = (user: TestUser) =>
      fetch(`${baseUrl}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...user.headers },
        body: JSON.stringify(listTools),
      });
    expect((await post(carol)).status).toBe(200);
    expect((await post(carol)).status).toBe(200);
    const limited = await post(carol);
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual({ detail: expect.stringMatching(/^Too many requests/) });
    // Same address, another user: unaffected.
    expect((await post(dave)).status).toBe(200);
  });
});
