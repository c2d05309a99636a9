import { randomBytes } from 'node:crypto';
import type { ToolCall } from '@todo-stack/shared';
import { createOfflineProvider } from '../../src/chat/offline/agent.js';
import { recordingTools } from '../../src/chat/provider.js';
import { openToolSession } from '../../src/mcp/client.js';
import { setupTestApp } from '../helper.js';

/** The tasks every row starts with (a fresh user each time), by title → id. */
const SEED = [
  { title: 'Buy milk' },
  { title: 'Call the dentist', description: 'Teeth cleaning' },
  { title: 'Write report', completed: true },
  { title: 'Buy bread' },
] as const;
type Ids = Record<(typeof SEED)[number]['title'], number>;

type Expected = [tool: string, args: Record<string, unknown>];

interface Row {
  say: string;
  /** The tools the agent must run, in order, with exactly these arguments. */
  calls: (ids: Ids) => Expected[];
  /** What the reply must say (the confirmation, the question or the refusal). */
  reply: (ids: Ids) => RegExp;
  /** Titles that must not appear in the reply (lists filtered by status). */
  absent?: string[];
}

const LOOKUP: Expected = ['list_tasks', { status: 'all' }];
const add = (say: string, title: string, description?: string): Row => ({
  say,
  calls: () => [['add_task', description ? { title, description } : { title }]],
  reply: () =>
    new RegExp(`^Added task #\\d+ "${title}"${description ? ` with the description "${description}"` : ''}\\.$`),
});
const list = (say: string, status: 'all' | 'pending' | 'completed'): Row => ({
  say,
  calls: () => [['list_tasks', { status }]],
  reply: (ids) =>
    status === 'completed'
      ? new RegExp(`1 completed task:\\n- \\[x\\] #${ids['Write report']} Write report$`)
      : status === 'pending'
        ? new RegExp(
            `3 pending tasks:(?=[\\s\\S]*#${ids['Buy milk']} Buy milk)(?=[\\s\\S]*#${ids['Call the dentist']} Call the dentist)`,
          )
        : new RegExp(`4 tasks:[\\s\\S]*\\[x\\] #${ids['Write report']} Write report`),
  absent: status === 'completed' ? ['Buy milk'] : status === 'pending' ? ['Write report'] : [],
});
const NONE = () => [];

const ROWS: Row[] = [
  // add, with and without a description
  add('add buy oat milk', 'Buy oat milk'),
  add('Add a task to call mom', 'Call mom'),
  add('remember to water the plants', 'Water the plants'),
  add('Remind me to pay rent.', 'Pay rent'),
  add('I need to renew my passport', 'Renew my passport'),
  add('please add groceries to my list', 'Groceries'),
  add('add buy eggs - free range, a dozen', 'Buy eggs', 'free range, a dozen'),
  add('add task: book flights with description to Lisbon in May', 'Book flights', 'to Lisbon in May'),
  // typographic quotes and dashes, as phones type them
  add('add “buy stamps”', 'Buy stamps'),
  add('add ‘call the bank’', 'Call the bank'),
  add('add pay the plumber — before Friday', 'Pay the plumber', 'before Friday'),
  add('create a new task called clean the garage', 'Clean the garage'),
  add('Hi! add walk the dog', 'Walk the dog'),
  add('new todo: fix the bike', 'Fix the bike'),
  add("don't let me forget to call grandma", 'Call grandma'),
  add('I have to submit taxes details: before April', 'Submit taxes', 'before April'),
  // list all / pending / completed
  {
    say: `add ${'x'.repeat(201)}`,
    calls: NONE,
    reply: () => /^That title is too long \(201 characters; the limit is 200\)\. Nothing was added\.$/,
  },
  list('show my tasks', 'all'),
  list('list all tasks', 'all'),
  list('list my todos', 'all'),
  list("what's left?", 'pending'),
  list('what is pending', 'pending'),
  list('What do I still have to do?', 'pending'),
  list('anything left?', 'pending'),
  list('show completed tasks', 'completed'),
  list('what have I finished?', 'completed'),
  list('which tasks are done', 'completed'),
  // complete by id and by title
  {
    say: 'complete task {Buy milk}',
    calls: (ids) => [['complete_task', { task_id: ids['Buy milk'] }]],
    reply: (ids) => new RegExp(`Marked task #${ids['Buy milk']} "Buy milk" as done`),
  },
  {
    say: 'mark task {Buy bread} as done',
    calls: (ids) => [['complete_task', { task_id: ids['Buy bread'] }]],
    reply: (ids) => new RegExp(`Marked task #${ids['Buy bread']} "Buy bread" as done`),
  },
  {
    say: 'check off #{Buy milk}',
    calls: (ids) => [['complete_task', { task_id: ids['Buy milk'] }]],
    reply: (ids) => new RegExp(`Marked task #${ids['Buy milk']} "Buy milk" as done`),
  },
  {
    say: 'done with the dentist one',
    calls: (ids) => [LOOKUP, ['complete_task', { task_id: ids['Call the dentist'] }]],
    reply: (ids) => new RegExp(`Marked task #${ids['Call the dentist']} "Call the dentist" as done`),
  },
  {
    say: 'finish buy bread',
    calls: (ids) => [LOOKUP, ['complete_task', { task_id: ids['Buy bread'] }]],
    reply: (ids) => new RegExp(`Marked task #${ids['Buy bread']} "Buy bread" as done`),
  },
  {
    say: 'Buy Milk is done!',
    calls: (ids) => [LOOKUP, ['complete_task', { task_id: ids['Buy milk'] }]],
    reply: (ids) => new RegExp(`Marked task #${ids['Buy milk']} "Buy milk" as done`),
  },
  {
    say: "I'm done with 'call the dentist'",
    calls: (ids) => [LOOKUP, ['complete_task', { task_id: ids['Call the dentist'] }]],
    reply: (ids) => new RegExp(`#${ids['Call the dentist']} "Call the dentist" as done`),
  },
  // complete: unknown id, unknown title, ambiguous title
  {
    say: 'complete task 999999',
    calls: () => [['complete_task', { task_id: 999999 }]],
    reply: () => /there is no task #999999\. Nothing was changed\./,
  },
  {
    say: 'done with the gym',
    calls: () => [LOOKUP],
    reply: () => /couldn't find a task matching "gym", so nothing was changed/,
  },
  {
    say: 'finish buy',
    calls: () => [LOOKUP],
    reply: (ids) =>
      new RegExp(
        `Several tasks match "buy":(?=[\\s\\S]*#${ids['Buy milk']} Buy milk)(?=[\\s\\S]*#${ids['Buy bread']} Buy bread)[\\s\\S]*Which one do you mean\\?`,
      ),
  },
  // delete by id and by title
  {
    say: 'delete task {Buy milk}',
    calls: (ids) => [['delete_task', { task_id: ids['Buy milk'] }]],
    reply: (ids) => new RegExp(`^Deleted task #${ids['Buy milk']} "Buy milk"\\.$`),
  },
  {
    say: 'remove buy bread',
    calls: (ids) => [LOOKUP, ['delete_task', { task_id: ids['Buy bread'] }]],
    reply: (ids) => new RegExp(`^Deleted task #${ids['Buy bread']} "Buy bread"\\.$`),
  },
  {
    say: 'please get rid of the dentist one',
    calls: (ids) => [LOOKUP, ['delete_task', { task_id: ids['Call the dentist'] }]],
    reply: (ids) => new RegExp(`^Deleted task #${ids['Call the dentist']} "Call the dentist"\\.$`),
  },
  {
    say: 'delete the write report task',
    calls: (ids) => [LOOKUP, ['delete_task', { task_id: ids['Write report'] }]],
    reply: (ids) => new RegExp(`^Deleted task #${ids['Write report']} "Write report"\\.$`),
  },
  { say: 'delete the gym task', calls: () => [LOOKUP], reply: () => /couldn't find a task matching "gym"/ },
  { say: 'remove buy', calls: () => [LOOKUP], reply: () => /Several tasks match "buy"[\s\S]*Which one do you mean\?/ },
  {
    say: 'delete task 999999',
    calls: () => [['delete_task', { task_id: 999999 }]],
    reply: () => /there is no task #999999\. Nothing was changed\./,
  },
  // update by id and by title
  {
    say: 'rename task {Buy milk} to buy oat milk',
    calls: (ids) => [['update_task', { task_id: ids['Buy milk'], title: 'Buy oat milk' }]],
    reply: (ids) => new RegExp(`^Renamed task #${ids['Buy milk']} to "Buy oat milk"\\.$`),
  },
  {
    say: 'change buy bread to buy sourdough',
    calls: (ids) => [LOOKUP, ['update_task', { task_id: ids['Buy bread'], title: 'Buy sourdough' }]],
    reply: (ids) => new RegExp(`^Renamed task #${ids['Buy bread']} to "Buy sourdough"\\.$`),
  },
  {
    say: 'change the description of the dentist one to before Friday',
    calls: (ids) => [LOOKUP, ['update_task', { task_id: ids['Call the dentist'], description: 'before Friday' }]],
    reply: (ids) => new RegExp(`description of task #${ids['Call the dentist']} "Call the dentist" to "before Friday"`),
  },
  {
    say: 'update task {Buy milk} description to 2 litres',
    calls: (ids) => [['update_task', { task_id: ids['Buy milk'], description: '2 litres' }]],
    reply: (ids) => new RegExp(`description of task #${ids['Buy milk']} "Buy milk" to "2 litres"`),
  },
  {
    say: 'rename task 999999 to something',
    calls: () => [['update_task', { task_id: 999999, title: 'Something' }]],
    reply: () => /there is no task #999999\. Nothing was changed\./,
  },
  { say: 'rename the gym one to yoga', calls: () => [LOOKUP], reply: () => /couldn't find a task matching "gym"/ },
  // small talk and help: no tools
  { say: 'hello', calls: NONE, reply: () => /^Hello! I can manage your todo list/ },
  { say: 'Good morning!', calls: NONE, reply: () => /^Hello!/ },
  { say: 'thanks!', calls: NONE, reply: () => /welcome/ },
  { say: 'help', calls: NONE, reply: () => /^I can manage your todo list[\s\S]*add buy milk/ },
  { say: 'what can you do?', calls: NONE, reply: () => /^I can manage your todo list/ },
  { say: "what's the weather like?", calls: NONE, reply: () => /didn't understand/ },
  { say: 'blorp', calls: NONE, reply: () => /^Sorry, I didn't understand that/ },
];

describe('offline agent: phrasings → tool calls → confirmation', () => {
  const ctx = setupTestApp();
  const provider = createOfflineProvider();

  it(`covers at least 40 phrasings (${ROWS.length})`, () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(40);
  });

  /** A fresh user (inserted directly: no password needed) with the seed tasks. */
  async function seededUser(): Promise<{ userId: string; ids: Ids }> {
    const userId = `agent-${randomBytes(6).toString('hex')}`;
    await ctx.db.query('insert into users (id, name, email) values ($1, $2, $3)', [
      userId,
      'Agent Test',
      `${userId}@example.test`,
    ]);
    const ids = {} as Ids;
    for (const seed of SEED) {
      const task = await ctx.app.tasksRepository.create(userId, {
        title: seed.title,
        description: 'description' in seed ? seed.description : undefined,
      });
      if ('completed' in seed) await ctx.app.tasksRepository.update(userId, task.id, { completed: true });
      ids[seed.title] = task.id;
    }
    return { userId, ids };
  }

  async function run(userId: string, message: string): Promise<{ reply: string; calls: ToolCall[] }> {
    const session = await openToolSession(ctx.app.tasksRepository, userId, { requestId: 'test', log: ctx.app.log });
    const tools = recordingTools(session);
    try {
      return { reply: await provider.reply({ history: [], message, tools }), calls: tools.calls };
    } finally {
      await session.close();
    }
  }

  it.each(ROWS)('"$say"', async (row) => {
    const { userId, ids } = await seededUser();
    const message = row.say.replace(/\{([^}]+)\}/g, (_, title: keyof Ids) => String(ids[title]));
    const { reply, calls } = await run(userId, message);

    expect(calls.map((call) => [call.tool, call.arguments])).toEqual(row.calls(ids));
    expect(reply).toMatch(row.reply(ids));
    for (const title of row.absent ?? []) expect(reply).not.toContain(title);

    // What the reply confirms is what the database holds.
    const [action] = calls.filter((call) => call.tool !== 'list_tasks');
    const result = action?.result as { task_id?: number; status?: string; error?: string } | undefined;
    if (!action || !result) return;
    const task = result.task_id === undefined ? undefined : await ctx.app.tasksRepository.get(userId, result.task_id);
    if (result.error) {
      expect(reply).toMatch(/Nothing was changed/);
      expect((await ctx.app.tasksRepository.list(userId)).total).toBe(SEED.length);
    } else if (result.status === 'deleted') {
      expect(task).toBeUndefined();
    } else if (result.status === 'completed') {
      expect(task?.completed).toBe(true);
    } else {
      expect(task).toMatchObject({
        ...(action.arguments['title'] ? { title: action.arguments['title'] } : {}),
        ...(action.arguments['description'] ? { description: action.arguments['description'] } : {}),
      });
      expect(reply).toContain(`#${result.task_id}`);
    }
  });
});
