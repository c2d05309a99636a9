import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { TaskBoard } from '@/app/ui/tasks/task-board';
import { fakeApi, task, unreachable, type Call } from './support/fake-api';
import { navigation } from './support/navigation';
import { renderSignedIn } from './support/render';

const TASKS = '/api/user-1/tasks';

/** GET …/tasks over a fixed set, with the API's page contract (libs/shared TaskQuery): limit 1-100, default 50. */
const listOf = (tasks: ReturnType<typeof task>[]) => (call: Call) => {
  const status = call.query.get('status') ?? 'all';
  const matching = tasks.filter((t) => status === 'all' || t.completed === (status === 'completed'));
  const limit = Number(call.query.get('limit') ?? 50);
  const offset = Number(call.query.get('offset') ?? 0);
  return { status: 200, body: { tasks: matching.slice(offset, offset + limit), total: matching.length } };
};

/** A tiny in-memory task store behind the fake API, so lists reflect changes. */
function taskStore(initial = [task(1, 'Buy milk'), task(2, 'Write report', true)]) {
  let tasks = [...initial];
  let nextId = 10;
  return fakeApi({
    [`GET ${TASKS}`]: (call) => listOf(tasks)(call),
    [`POST ${TASKS}`]: (call) => {
      const created = { ...task(nextId++, (call.body as { title: string }).title) };
      tasks = [created, ...tasks];
      return { status: 201, body: created };
    },
    [`PATCH ${TASKS}/1/complete`]: () => {
      tasks = tasks.map((t) => (t.id === 1 ? { ...t, completed: !t.completed } : t));
      return { status: 200, body: tasks.find((t) => t.id === 1) };
    },
    [`PUT ${TASKS}/1`]: (call) => {
      tasks = tasks.map((t) => (t.id === 1 ? { ...t, ...(call.body as object) } : t));
      return { status: 200, body: tasks.find((t) => t.id === 1) };
    },
    [`DELETE ${TASKS}/2`]: () => {
      tasks = tasks.filter((t) => t.id !== 2);
      return { status: 204 };
    },
  });
}

const many = (count: number) => Array.from({ length: count }, (_, i) => task(i + 1, `Task ${i + 1}`));

describe('task board', () => {
  it('lists the user’s tasks with their state', async () => {
    taskStore();
    renderSignedIn(<TaskBoard />);
    const list = await screen.findByRole('list', { name: 'All tasks' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(2);
    expect(screen.getByRole('checkbox', { name: /Buy milk/ })).not.toBeChecked();
    expect(screen.getByRole('checkbox', { name: /Write report/ })).toBeChecked();
  });

  it('shows an empty state', async () => {
    taskStore([]);
    renderSignedIn(<TaskBoard />);
    expect(await screen.findByText(/No tasks yet/)).toBeInTheDocument();
  });

  it('adds a task with the form and clears it', async () => {
    const api = taskStore();
    renderSignedIn(<TaskBoard />);
    await screen.findByRole('list', { name: 'All tasks' });
    const form = screen.getByRole('form', { name: 'Add a task' });
    await userEvent.type(within(form).getByLabelText('Title'), 'Call mom');
    await userEvent.type(within(form).getByLabelText(/Description/), 'Sunday');
    await userEvent.click(within(form).getByRole('button', { name: 'Add task' }));

    expect(await screen.findByRole('checkbox', { name: /Call mom/ })).toBeInTheDocument();
    expect(api.calls.find((c) => c.method === 'POST')?.body).toEqual({ title: 'Call mom', description: 'Sunday' });
    expect(within(form).getByLabelText('Title')).toHaveValue('');
  });

  it('refuses an empty title without calling the API', async () => {
    const api = taskStore();
    renderSignedIn(<TaskBoard />);
    await screen.findByRole('list', { name: 'All tasks' });
    const form = screen.getByRole('form', { name: 'Add a task' });
    await userEvent.click(within(form).getByRole('button', { name: 'Add task' }));
    expect(within(form).getByLabelText('Title')).toHaveAccessibleDescription('Enter a title.');
    expect(api.calls.some((c) => c.method === 'POST')).toBe(false);
  });

  it('completes, edits and deletes tasks', async () => {
    const api = taskStore();
    renderSignedIn(<TaskBoard />);
    await userEvent.click(await screen.findByRole('checkbox', { name: /Buy milk/ }));
    await waitFor(() => expect(screen.getByRole('checkbox', { name: /Buy milk/ })).toBeChecked());

    await userEvent.click(screen.getByRole('button', { name: 'Edit Buy milk' }));
    const edit = screen.getByRole('form', { name: 'Edit Buy milk' });
    await userEvent.clear(within(edit).getByLabelText('Title'));
    await userEvent.type(within(edit).getByLabelText('Title'), 'Buy oat milk');
    await userEvent.click(within(edit).getByRole('button', { name: 'Save' }));
    expect(await screen.findByRole('checkbox', { name: /Buy oat milk/ })).toBeInTheDocument();
    expect(api.calls.find((c) => c.method === 'PUT')?.body).toEqual({ title: 'Buy oat milk', description: null });

    await userEvent.click(screen.getByRole('button', { name: 'Delete Write report' }));
    await waitFor(() => expect(screen.queryByText('Write report')).not.toBeInTheDocument());
    expect(api.calls.some((c) => c.method === 'DELETE' && c.path === `${TASKS}/2`)).toBe(true);
  });

  it('filters by status through the API', async () => {
    const api = taskStore();
    renderSignedIn(<TaskBoard />);
    await screen.findByRole('list', { name: 'All tasks' });

    await userEvent.click(screen.getByRole('button', { name: 'Completed' }));
    const completed = await screen.findByRole('list', { name: 'Completed tasks' });
    expect(within(completed).getAllByRole('listitem')).toHaveLength(1);
    expect(screen.getByRole('button', { name: 'Completed' })).toHaveAttribute('aria-pressed', 'true');
    expect(api.calls.at(-1)?.query.get('status')).toBe('completed');

    await userEvent.click(screen.getByRole('button', { name: 'Pending' }));
    const pending = await screen.findByRole('list', { name: 'Pending tasks' });
    expect(within(pending).getByText('Buy milk')).toBeInTheDocument();
  });

  it('shows a retryable error when the backend is down', async () => {
    const api = taskStore();
    api.routes[`GET ${TASKS}`] = { status: 502, body: { detail: 'The server is unavailable right now.' } };
    renderSignedIn(<TaskBoard />);
    expect(await screen.findByRole('alert')).toHaveTextContent(/server is unavailable/i);

    api.routes[`GET ${TASKS}`] = { status: 200, body: { tasks: [task(1, 'Back again')], total: 1 } };
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText('Back again')).toBeInTheDocument();
  });

  it('reports a failed change without losing the list', async () => {
    const api = taskStore();
    api.routes[`DELETE ${TASKS}/2`] = unreachable;
    renderSignedIn(<TaskBoard />);
    await userEvent.click(await screen.findByRole('button', { name: 'Delete Write report' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(/cannot reach the server/i);
    expect(screen.getByText('Write report')).toBeInTheDocument();
  });

  it('sends the user to sign in when the session has expired (401)', async () => {
    navigation.pathname = '/tasks';
    const api = taskStore();
    api.routes[`GET ${TASKS}`] = { status: 401, body: { detail: 'Not authenticated' } };
    renderSignedIn(<TaskBoard />);
    await waitFor(() => expect(navigation.router.replace).toHaveBeenCalledWith('/sign-in?expired=1&next=%2Ftasks'));
  });

  it('pages through a long list 50 at a time, saying which tasks it shows', async () => {
    const api = taskStore(many(120));
    renderSignedIn(<TaskBoard />);
    const pages = await screen.findByRole('navigation', { name: 'Task pages' });
    expect(within(pages).getByText('1–50 of 120')).toBeInTheDocument();
    expect(within(screen.getByRole('list', { name: 'All tasks' })).getAllByRole('listitem')).toHaveLength(50);
    expect(within(pages).getByRole('button', { name: 'Previous page' })).toBeDisabled();
    expect(api.calls.at(-1)?.query.get('limit')).toBe('50');

    await userEvent.click(within(pages).getByRole('button', { name: 'Next page' }));
    expect(await screen.findByText('51–100 of 120')).toBeInTheDocument();
    expect(screen.getByText('Task 51')).toBeInTheDocument();
    expect(api.calls.at(-1)?.query.get('offset')).toBe('50');

    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByText('101–120 of 120')).toBeInTheDocument();
    expect(within(screen.getByRole('list', { name: 'All tasks' })).getAllByRole('listitem')).toHaveLength(20);
    expect(screen.getByRole('button', { name: 'Next page' })).toBeDisabled();

    await userEvent.click(screen.getByRole('button', { name: 'Previous page' }));
    expect(await screen.findByText('51–100 of 120')).toBeInTheDocument();
  });

  it('starts again at the first page when the filter changes', async () => {
    const api = taskStore(many(60));
    renderSignedIn(<TaskBoard />);
    await userEvent.click(await screen.findByRole('button', { name: 'Next page' }));
    await screen.findByText('51–60 of 60');
    await userEvent.click(screen.getByRole('button', { name: 'Pending' }));
    expect(await screen.findByText('1–50 of 60')).toBeInTheDocument();
    expect(api.calls.at(-1)?.query.get('offset')).toBe('0');
  });

  it('steps back a page when the last task of the last page is deleted', async () => {
    const api = taskStore(many(51));
    api.routes[`DELETE ${TASKS}/51`] = () => {
      api.routes[`GET ${TASKS}`] = listOf(many(50));
      return { status: 204 };
    };
    renderSignedIn(<TaskBoard />);
    await userEvent.click(await screen.findByRole('button', { name: 'Next page' }));
    await userEvent.click(await screen.findByRole('button', { name: 'Delete Task 51' }));
    expect(await screen.findByText('1–50 of 50')).toBeInTheDocument();
    expect(api.calls.at(-1)?.query.get('offset')).toBe('0');
  });

  it('shows the first page the server read without fetching it again', async () => {
    const api = taskStore();
    renderSignedIn(<TaskBoard initial={{ tasks: [task(7, 'From the server')], total: 1 }} />);
    expect(screen.getByRole('checkbox', { name: /From the server/ })).toBeInTheDocument();
    expect(screen.getByText('1–1 of 1')).toBeInTheDocument();
    await act(() => Promise.resolve());
    expect(api.calls.filter((c) => c.method === 'GET')).toEqual([]);

    await userEvent.click(screen.getByRole('button', { name: 'Completed' }));
    expect(await screen.findByRole('list', { name: 'Completed tasks' })).toBeInTheDocument();
  });
});
