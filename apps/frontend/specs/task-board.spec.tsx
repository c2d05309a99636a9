import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { TaskFormState } from '@/app/lib/action-state';
import { createTask, deleteTask, toggleTask, updateTask } from '@/app/lib/actions';
import { DEFAULT_TASK_VIEW, type TaskView } from '@/app/lib/task-view';
import { TaskBoard } from '@/app/ui/tasks/task-board';
import { task } from './support/fake-api';
import { navigation } from './support/navigation';
import { renderSignedIn } from './support/render';

// The Server Actions are the board's only way to the backend (their own behaviour: actions.spec.ts).
jest.mock('@/app/lib/actions', () => ({
  createTask: jest.fn(),
  updateTask: jest.fn(),
  toggleTask: jest.fn(),
  deleteTask: jest.fn(),
}));
const actions = {
  createTask: jest.mocked(createTask),
  updateTask: jest.mocked(updateTask),
  toggleTask: jest.mocked(toggleTask),
  deleteTask: jest.mocked(deleteTask),
};

const TASKS = [task(1, 'Buy milk'), task(2, 'Write report', true)];
const many = (count: number) => Array.from({ length: count }, (_, i) => task(i + 1, `Task ${i + 1}`));

function renderBoard(tasks = TASKS, view: Partial<TaskView> = {}, total = tasks.length) {
  return renderSignedIn(
    <TaskBoard view={{ ...DEFAULT_TASK_VIEW, ...view }} list={{ ok: true, data: { tasks, total } }} pageSize={50} />,
  );
}

/** What the form action received, as the fields it submitted. */
const submitted = (mock: jest.Mock, call = 0) => Object.fromEntries((mock.mock.calls[call]?.[1] as FormData).entries());

beforeEach(() => jest.resetAllMocks());

describe('task board', () => {
  it('lists the tasks the server read, with their state', () => {
    renderBoard();
    const list = screen.getByRole('list', { name: 'All tasks' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(2);
    expect(screen.getByRole('checkbox', { name: /Buy milk/ })).not.toBeChecked();
    expect(screen.getByRole('checkbox', { name: /Write report/ })).toBeChecked();
    expect(screen.getByText('1–2 of 2')).toBeInTheDocument();
  });

  it.each([
    ['all', /No tasks yet/],
    ['pending', /Nothing pending/],
    ['completed', /No completed tasks yet/],
  ] as const)('shows an empty state for %s', (status, text) => {
    renderBoard([], { status });
    expect(screen.getByText(text)).toBeInTheDocument();
  });

  it('links every filter and order to its URL, starting again at the first page', () => {
    renderBoard(TASKS, { status: 'pending', offset: 50 }, 60);
    const show = screen.getByRole('navigation', { name: 'Show' });
    expect(within(show).getByRole('link', { name: 'Pending' })).toHaveAttribute('aria-current', 'page');
    expect(within(show).getByRole('link', { name: 'All' })).toHaveAttribute('href', '/tasks');
    expect(within(show).getByRole('link', { name: 'Completed' })).toHaveAttribute('href', '/tasks?status=completed');
    const sort = screen.getByRole('navigation', { name: 'Sort' });
    expect(within(sort).getByRole('link', { name: 'By title' })).toHaveAttribute(
      'href',
      '/tasks?status=pending&sort=title',
    );
  });

  it('links the pages of a long list, saying which tasks it shows', () => {
    renderBoard(many(50), { offset: 50, sort: 'title' }, 120);
    const pages = screen.getByRole('navigation', { name: 'Task pages' });
    expect(within(pages).getByText('51–100 of 120')).toBeInTheDocument();
    expect(within(pages).getByRole('link', { name: 'Previous page' })).toHaveAttribute('href', '/tasks?sort=title');
    expect(within(pages).getByRole('link', { name: 'Next page' })).toHaveAttribute(
      'href',
      '/tasks?sort=title&offset=100',
    );
  });

  it('marks the first and last page’s missing step as unavailable', () => {
    renderBoard(many(20), { offset: 100 }, 120);
    const pages = screen.getByRole('navigation', { name: 'Task pages' });
    expect(within(pages).getByRole('link', { name: 'Next page' })).toHaveAttribute('aria-disabled', 'true');
    expect(within(pages).getByRole('link', { name: 'Next page' })).not.toHaveAttribute('href');
  });

  it('adds a task through its Server Action, announces it and clears the form', async () => {
    actions.createTask.mockResolvedValue({ status: 'done', message: 'Added “Call mom”.' });
    renderBoard();
    const form = screen.getByRole('form', { name: 'Add a task' });
    await userEvent.type(within(form).getByLabelText('Title'), 'Call mom');
    await userEvent.type(within(form).getByLabelText(/Description/), 'Sunday');
    await userEvent.click(within(form).getByRole('button', { name: 'Add task' }));

    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('Added “Call mom”.'));
    expect(submitted(actions.createTask)).toEqual({ title: 'Call mom', description: 'Sunday' });
    expect(within(form).getByLabelText('Title')).toHaveValue('');
  });

  it('shows the action’s problems next to the fields, keeping what was typed', async () => {
    actions.createTask.mockResolvedValue({
      status: 'failed',
      message: null,
      fields: { title: 'Enter a title.' },
      values: { title: '  ', description: 'kept' },
    } satisfies TaskFormState);
    renderBoard();
    const form = screen.getByRole('form', { name: 'Add a task' });
    await userEvent.type(within(form).getByLabelText('Title'), '  ');
    await userEvent.type(within(form).getByLabelText(/Description/), 'kept');
    await userEvent.click(within(form).getByRole('button', { name: 'Add task' }));

    await waitFor(() => expect(within(form).getByLabelText('Title')).toHaveAccessibleDescription('Enter a title.'));
    expect(within(form).getByLabelText(/Description/)).toHaveValue('kept');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('says when the server could not be reached, keeping the list', async () => {
    actions.createTask.mockRejectedValue(new TypeError('Failed to fetch'));
    renderBoard();
    const form = screen.getByRole('form', { name: 'Add a task' });
    await userEvent.type(within(form).getByLabelText('Title'), 'Call mom');
    await userEvent.click(within(form).getByRole('button', { name: 'Add task' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(/cannot reach the server/i);
    expect(within(form).getByLabelText('Title')).toHaveValue('Call mom');
    expect(screen.getByText('Write report')).toBeInTheDocument();
  });

  it('completes a task at once while its action runs, and names it when done', async () => {
    let finish: (value: Awaited<ReturnType<typeof toggleTask>>) => void = () => undefined;
    actions.toggleTask.mockReturnValue(new Promise((resolve) => (finish = resolve)));
    renderBoard();
    await userEvent.click(screen.getByRole('checkbox', { name: /Buy milk/ }));
    expect(actions.toggleTask).toHaveBeenCalledWith(1);
    await waitFor(() => expect(screen.getByRole('checkbox', { name: /Buy milk/ })).toBeChecked());
    expect(screen.getByRole('checkbox', { name: /Buy milk/ })).toBeDisabled();

    finish({ status: 'done', message: 'Completed “Buy milk”.' });
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('Completed “Buy milk”.'));
    // Until the server's new render says otherwise, the list shows what the server read.
    expect(screen.getByRole('checkbox', { name: /Buy milk/ })).not.toBeChecked();
  });

  it('edits a task through its Server Action and closes the editor', async () => {
    actions.updateTask.mockResolvedValue({ status: 'done', message: 'Saved “Buy oat milk”.' });
    renderBoard();
    await userEvent.click(screen.getByRole('button', { name: 'Edit Buy milk' }));
    const edit = screen.getByRole('form', { name: 'Edit Buy milk' });
    await userEvent.clear(within(edit).getByLabelText('Title'));
    await userEvent.type(within(edit).getByLabelText('Title'), 'Buy oat milk');
    await userEvent.click(within(edit).getByRole('button', { name: 'Save' }));

    await waitFor(() => expect(screen.queryByRole('form', { name: 'Edit Buy milk' })).not.toBeInTheDocument());
    expect(submitted(actions.updateTask)).toEqual({ id: '1', title: 'Buy oat milk', description: '' });
    expect(screen.getByRole('status')).toHaveTextContent('Saved “Buy oat milk”.');
  });

  it('deletes a task, naming it, and reports a failure', async () => {
    actions.deleteTask.mockResolvedValueOnce({ status: 'done', message: 'Task deleted.' });
    actions.deleteTask.mockResolvedValueOnce({
      status: 'failed',
      message: 'The server is unavailable right now. Try again in a moment.',
      fields: {},
    });
    renderBoard();
    await userEvent.click(screen.getByRole('button', { name: 'Delete Write report' }));
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('Deleted “Write report”.'));
    expect(actions.deleteTask).toHaveBeenCalledWith(2);

    await userEvent.click(screen.getByRole('button', { name: 'Delete Buy milk' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(/server is unavailable/i);
  });

  it('sends the user to sign in when an action finds the session expired', async () => {
    navigation.pathname = '/tasks';
    actions.deleteTask.mockResolvedValue({ status: 'expired' });
    renderBoard();
    await userEvent.click(screen.getByRole('button', { name: 'Delete Write report' }));
    await waitFor(() => expect(navigation.router.replace).toHaveBeenCalledWith('/sign-in?expired=1&next=%2Ftasks'));
  });

  it('shows a read the server could not make, with a retry that renders the page again', async () => {
    renderSignedIn(
      <TaskBoard view={DEFAULT_TASK_VIEW} list={{ ok: false, message: 'The server is unavailable.' }} pageSize={50} />,
    );
    expect(screen.getByRole('alert')).toHaveTextContent('The server is unavailable.');
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(navigation.router.refresh).toHaveBeenCalled();
  });
});
