import { LIMITS, type TaskStatus } from '@todo-stack/shared';
import type { AgentInput, AgentTools, ChatProvider } from '../provider.js';
import type { ListedTask, TaskActionResult, TaskListResult, ToolError } from '../../mcp/task-tools.js';
import { isToolError } from '../../mcp/task-tools.js';
import { parseIntent, type Intent, type TaskRef } from './intent.js';

const HELP_TEXT = [
  'I can manage your todo list. Try:',
  '- "add buy milk" (or "remember to call mom - before Friday" with a description)',
  '- "what\'s left?", "show completed tasks", "list all tasks"',
  '- "done with buy milk" or "complete task 3"',
  '- "delete task 3" or "remove the dentist one"',
  '- "rename task 3 to buy oat milk", "change the description of task 3 to 2 litres"',
].join('\n');

const STATUS_WORD: Record<TaskStatus, string> = { all: '', pending: 'pending ', completed: 'completed ' };

const describe = (task: { id: number; title: string }) => `#${task.id} "${task.title}"`;

function formatList(result: TaskListResult, status: TaskStatus): string {
  if (result.tasks.length === 0) {
    return status === 'all'
      ? 'You have no tasks yet. Say "add …" to create one.'
      : `You have no ${STATUS_WORD[status]}tasks.`;
  }
  const lines = result.tasks.map((task) => `- [${task.completed ? 'x' : ' '}] #${task.id} ${task.title}`);
  const count = result.tasks.length;
  return `You have ${count} ${STATUS_WORD[status]}task${count === 1 ? '' : 's'}:\n${lines.join('\n')}`;
}

type Resolved = { task: { id: number; title?: string } } | { reply: string };

/**
 * Finds the one task a reference means. Ids go straight to the tool (it answers "not found" itself);
 * titles are looked up with list_tasks: an exact title wins, else a case-insensitive substring match.
 * Several matches → ask; none → say so. `preferPending` narrows "done with milk" to the open one.
 */
async function resolve(tools: AgentTools, ref: TaskRef, preferPending: boolean): Promise<Resolved> {
  if ('id' in ref) return { task: { id: ref.id } };
  const { tasks } = (await tools.call('list_tasks', { status: 'all' })) as TaskListResult;
  const wanted = ref.title.toLowerCase();
  const exact = tasks.filter((task) => task.title.toLowerCase() === wanted);
  let matches: ListedTask[] =
    exact.length > 0 ? exact : tasks.filter((task) => task.title.toLowerCase().includes(wanted));
  if (matches.length > 1 && preferPending) {
    const pending = matches.filter((task) => !task.completed);
    if (pending.length >= 1) matches = pending;
  }
  if (matches.length === 1) return { task: matches[0] as ListedTask };
  if (matches.length === 0) {
    return {
      reply: `I couldn't find a task matching "${ref.title}", so nothing was changed. Say "list tasks" to see them.`,
    };
  }
  const options = matches.map((task) => `- #${task.id} ${task.title}${task.completed ? ' (done)' : ''}`).join('\n');
  return {
    reply: `Several tasks match "${ref.title}":\n${options}\nWhich one do you mean? Tell me its number, e.g. "task ${matches[0]?.id}".`,
  };
}

const failed = (result: ToolError, id: number) =>
  `I couldn't do that: ${result.error.replace(/^Task \d+ not found$/, `there is no task #${id}`)}. Nothing was changed.`;

async function act(intent: Intent, tools: AgentTools): Promise<string> {
  switch (intent.kind) {
    case 'greet':
      return `Hello! ${HELP_TEXT}`;
    case 'thanks':
      return "You're welcome! Anything else on your list?";
    case 'help':
      return HELP_TEXT;
    case 'unknown':
      return `Sorry, I didn't understand that. ${HELP_TEXT}`;
    case 'add': {
      if (intent.title.length > LIMITS.taskTitle) {
        return `That title is too long (${intent.title.length} characters; the limit is ${LIMITS.taskTitle}). Nothing was added.`;
      }
      if (intent.description && intent.description.length > LIMITS.taskDescription) {
        return `That description is too long (the limit is ${LIMITS.taskDescription} characters). Nothing was added.`;
      }
      const args = { title: intent.title, ...(intent.description ? { description: intent.description } : {}) };
      const result = (await tools.call('add_task', args)) as TaskActionResult | ToolError;
      if (isToolError(result)) return `I couldn't add that task: ${result.error}.`;
      return `Added task ${describe({ id: result.task_id, title: result.title })}${intent.description ? ` with the description "${intent.description}"` : ''}.`;
    }
    case 'list': {
      const result = (await tools.call('list_tasks', { status: intent.status })) as TaskListResult;
      return formatList(result, intent.status);
    }
    case 'complete':
    case 'delete':
    case 'update': {
      const found = await resolve(tools, intent.ref, intent.kind === 'complete');
      if ('reply' in found) return found.reply;
      const id = found.task.id;
      const tool = `${intent.kind}_task`;
      const args: Record<string, unknown> = { task_id: id };
      if (intent.kind === 'update') {
        if (intent.title !== undefined) args['title'] = intent.title;
        if (intent.description !== undefined) args['description'] = intent.description;
      }
      const result = (await tools.call(tool, args)) as TaskActionResult | ToolError;
      if (isToolError(result)) return failed(result, id);
      const task = describe({ id: result.task_id, title: result.title });
      if (intent.kind === 'complete') return `Marked task ${task} as done.`;
      if (intent.kind === 'delete') return `Deleted task ${task}.`;
      return intent.title !== undefined
        ? `Renamed task #${result.task_id} to "${result.title}".`
        : `Updated the description of task ${task} to "${intent.description}".`;
    }
  }
}

/** The built-in agent used when no OpenAI key is set: deterministic intent parsing over the same MCP tools. */
export function createOfflineProvider(): ChatProvider {
  return {
    name: 'offline',
    reply: async ({ message, tools }: AgentInput) => act(parseIntent(message), tools),
  };
}
