/**
 * The bare baseline of `npm run bench`: the least a Fastify server has to do to answer the measured routes with
 * the product's answers, run in its own process like the product server. No logger, hooks, plugins, ORM or
 * telemetry: a `pg` Pool of the product's size, the bearer token looked up in a Map (filled from the bench's own
 * sign-ups), and one named prepared statement per database step, so PostgreSQL parses and plans each once per
 * connection as it does for the product's list page.
 *
 *   GET  /api/:user_id/tasks  the product's first page: its statement (columns, order, 20 rows, window-count total)
 *   POST /api/:user_id/tasks  the product's insert under the per-user cap (one statement), body checked by schema
 *   POST /api/:user_id/chat   what a turn on a new conversation stores, the same statements in the same two
 *                             transactions as the product (conversation under its cap + user message; the reply +
 *                             the conversation's `updated_at`), the `list_tasks` tool's page in between, and the
 *                             offline agent's answer to "show my tasks" built from it. No rate-limit counter and
 *                             no MCP round trip: those are the product's, measured by the difference.
 *
 * Each answers 401 without a known token and 403 for another user's path, as the product does.
 * Environment: PORT, DATABASE_URL, BARE_TOKENS (JSON object: token → user id), DATABASE_POOL_MAX (default 10).
 */
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import pg from 'pg';

const PAGE = 50;
const TASKS_PER_USER = 1000;
const CONVERSATIONS_PER_USER = 200;

const tokens = new Map<string, string>(Object.entries(JSON.parse(process.env['BARE_TOKENS'] ?? '{}')));
const pool = new pg.Pool({
  connectionString: process.env['DATABASE_URL'],
  max: Number(process.env['DATABASE_POOL_MAX'] ?? 10),
});

// The product's statements (src/tasks/tasks-repository.ts): the same columns, timestamps formatted by PostgreSQL as
// `Date#toISOString` writes them, so both sides do the same database work and the rest is what is compared.
const iso = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24":"MI":"SS.MS"Z"')`;
const TASK_COLUMNS = `id, user_id, title, description, completed, ${iso('created_at')} as created_at, ${iso('updated_at')} as updated_at`;
const page = (userId: string) => ({
  name: 'bare_tasks_page',
  text: `select ${TASK_COLUMNS}, count(*) over () as total from tasks t where t.user_id = $1
         order by t.created_at desc, t.id desc limit $2 offset 0`,
  values: [userId, PAGE],
});
const insertTask = (userId: string, title: string, description: string | null) => ({
  name: 'bare_insert_task',
  text: `insert into tasks (user_id, title, description) select $1, $2, $3
         where (select count(*) from tasks where user_id = $1) < ${TASKS_PER_USER} returning ${TASK_COLUMNS}`,
  values: [userId, title, description],
});

interface TaskRow {
  id: number;
  user_id: string;
  title: string;
  description: string | null;
  completed: boolean;
  created_at: string;
  updated_at: string;
  total?: string;
}

/** The product's user scope: a known bearer token, and a path naming its own user. */
function userOf(request: FastifyRequest<{ Params: { user_id: string } }>, reply: FastifyReply): string | undefined {
  const header = request.headers.authorization;
  const userId = header?.startsWith('Bearer ') ? tokens.get(header.slice(7)) : undefined;
  if (!userId) {
    void reply.code(401).send({ detail: 'Not authenticated' });
    return undefined;
  }
  if (userId !== request.params.user_id) {
    void reply.code(403).send({ detail: 'Forbidden' });
    return undefined;
  }
  return userId;
}

const app = Fastify({ logger: false });

app.get<{ Params: { user_id: string } }>('/api/:user_id/tasks', async (request, reply) => {
  const userId = userOf(request, reply);
  if (!userId) return reply;
  const { rows } = await pool.query<TaskRow>(page(userId));
  const total = Number(rows[0]?.total ?? 0);
  for (const row of rows) delete row.total;
  return { tasks: rows, total };
});

app.post<{ Params: { user_id: string }; Body: { title: string; description?: string | null } }>(
  '/api/:user_id/tasks',
  {
    schema: {
      body: {
        type: 'object',
        required: ['title'],
        additionalProperties: false,
        properties: {
          title: { type: 'string', minLength: 1, maxLength: 200 },
          description: { type: ['string', 'null'], maxLength: 1000 },
        },
      },
    },
  },
  async (request, reply) => {
    const userId = userOf(request, reply);
    if (!userId) return reply;
    const { rows } = await pool.query<TaskRow>(
      insertTask(userId, request.body.title, request.body.description ?? null),
    );
    if (!rows[0]) return reply.code(409).send({ detail: 'Task limit reached' });
    return reply.code(201).send(rows[0]);
  },
);

/** Runs `work` in a transaction on one pooled client. */
async function transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
}

app.post<{ Params: { user_id: string }; Body: { message: string } }>(
  '/api/:user_id/chat',
  {
    schema: {
      body: {
        type: 'object',
        required: ['message'],
        additionalProperties: false,
        properties: { message: { type: 'string', minLength: 1, maxLength: 5000 } },
      },
    },
  },
  async (request, reply) => {
    const userId = userOf(request, reply);
    if (!userId) return reply;
    const { message } = request.body;
    const conversationId = await transaction(async (client) => {
      const { rows } = await client.query<{ id: number }>({
        name: 'bare_start_conversation',
        text: `insert into conversations (user_id, title) select $1, $2
               where (select count(*) from conversations where user_id = $1) < ${CONVERSATIONS_PER_USER} returning id`,
        values: [userId, message.slice(0, 80)],
      });
      const id = rows[0]?.id;
      if (id === undefined) return undefined;
      await client.query({
        name: 'bare_user_message',
        text: `insert into messages (conversation_id, role, content) values ($1, 'user', $2) returning id`,
        values: [id, message],
      });
      return id;
    });
    if (conversationId === undefined) return reply.code(409).send({ detail: 'Conversation limit reached' });

    const { rows } = await pool.query<TaskRow>(page(userId));
    const total = Number(rows[0]?.total ?? 0);
    const listed = rows.map(({ id, title, description, completed }) => ({ id, title, description, completed }));
    const lines = listed.map((task) => `- [${task.completed ? 'x' : ' '}] #${task.id} ${task.title}`);
    const response =
      listed.length === 0 ? 'You have no tasks yet.' : `You have ${listed.length} tasks:\n${lines.join('\n')}`;
    const toolCalls = [{ tool: 'list_tasks', arguments: { status: 'all' }, result: { tasks: listed, total } }];

    // What was stored is what the client sees, as in the product.
    const stored = await transaction(async (client) => {
      const inserted = await client.query<{ content: string; tool_calls: unknown }>({
        name: 'bare_assistant_message',
        text: `insert into messages (conversation_id, role, content, tool_calls) values ($1, 'assistant', $2, $3)
               returning content, tool_calls`,
        values: [conversationId, response, JSON.stringify(toolCalls)],
      });
      await client.query({
        name: 'bare_touch_conversation',
        text: 'update conversations set updated_at = now() where id = $1',
        values: [conversationId],
      });
      return inserted.rows[0]!;
    });
    return { conversation_id: conversationId, response: stored.content, tool_calls: stored.tool_calls };
  },
);

app.get('/health', async () => ({ status: 'ok' }));

await app.listen({ port: Number(process.env['PORT'] ?? 0), host: '127.0.0.1' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void app.close().then(() => pool.end()));
}
