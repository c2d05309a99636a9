import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ChatPanel } from '@/app/ui/chat/chat-panel';
import { fakeApi, unreachable } from './support/fake-api';
import { navigation } from './support/navigation';
import { renderSignedIn } from './support/render';

const BASE = '/api/user-1';
const at = '2026-01-02T10:00:00.000Z';

const addTaskCall = {
  tool: 'add_task',
  arguments: { title: 'Buy milk' },
  result: { task_id: 7, status: 'created', title: 'Buy milk' },
};

function chatApi(conversations: { id: number; title: string }[] = []) {
  return fakeApi({
    [`GET ${BASE}/conversations`]: {
      status: 200,
      body: {
        conversations: conversations.map((c) => ({ ...c, created_at: at, updated_at: at })),
        total: conversations.length,
      },
    },
    [`POST ${BASE}/chat`]: {
      status: 200,
      body: { conversation_id: 42, response: 'I added “Buy milk” to your list.', tool_calls: [addTaskCall] },
    },
    [`GET ${BASE}/conversations/3`]: {
      status: 200,
      body: {
        id: 3,
        title: 'What is pending?',
        created_at: at,
        updated_at: at,
        messages: [
          { id: 1, role: 'user', content: 'What is pending?', tool_calls: [], created_at: at },
          {
            id: 2,
            role: 'assistant',
            content: 'You have one pending task: Call mom.',
            tool_calls: [{ tool: 'list_tasks', arguments: { status: 'pending' }, result: [] }],
            created_at: at,
          },
        ],
        total: 2,
      },
    },
  });
}

describe('chat panel', () => {
  it('sends a message and shows the answer with the tools that ran', async () => {
    const api = chatApi();
    renderSignedIn(<ChatPanel />);
    expect(await screen.findByText('No conversations yet.')).toBeInTheDocument();

    await userEvent.type(screen.getByLabelText('Message'), 'Add a task to buy milk');
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));

    const log = screen.getByRole('log', { name: 'Conversation' });
    expect(await within(log).findByText('I added “Buy milk” to your list.')).toBeInTheDocument();
    expect(within(log).getByText('Add a task to buy milk')).toBeInTheDocument();
    const tools = within(log).getByRole('list', { name: 'Tools used' });
    expect(tools).toHaveTextContent('add_task');
    expect(tools).toHaveTextContent('Buy milk');
    expect(api.calls.find((c) => c.method === 'POST')?.body).toEqual({ message: 'Add a task to buy milk' });
    expect(screen.getByLabelText('Message')).toHaveValue('');
  });

  it('continues the same conversation, and Enter sends', async () => {
    const api = chatApi();
    renderSignedIn(<ChatPanel />);
    await userEvent.type(await screen.findByLabelText('Message'), 'first{Enter}');
    await screen.findByText('I added “Buy milk” to your list.');
    await userEvent.type(screen.getByLabelText('Message'), 'second{Enter}');
    await waitFor(() => expect(api.calls.filter((c) => c.method === 'POST')).toHaveLength(2));
    expect(api.calls.filter((c) => c.method === 'POST')[1]?.body).toEqual({ message: 'second', conversation_id: 42 });
  });

  it('lists past conversations and opens one', async () => {
    chatApi([{ id: 3, title: 'What is pending?' }]);
    renderSignedIn(<ChatPanel />);
    await userEvent.click(await screen.findByRole('button', { name: /^What is pending\?/ }));

    const log = screen.getByRole('log', { name: 'Conversation' });
    expect(await within(log).findByText('You have one pending task: Call mom.')).toBeInTheDocument();
    expect(within(log).getByRole('list', { name: 'Tools used' })).toHaveTextContent('list_tasks');
    expect(screen.getByRole('button', { name: /^What is pending\?/ })).toHaveAttribute('aria-current', 'true');
  });

  it('starts a new conversation', async () => {
    const api = chatApi([{ id: 3, title: 'What is pending?' }]);
    renderSignedIn(<ChatPanel />);
    await userEvent.click(await screen.findByRole('button', { name: /^What is pending\?/ }));
    await screen.findByText('You have one pending task: Call mom.');

    await userEvent.click(screen.getByRole('button', { name: 'New conversation' }));
    expect(screen.queryByText('You have one pending task: Call mom.')).not.toBeInTheDocument();
    expect(screen.getByLabelText('Message')).toHaveFocus();
    await userEvent.type(screen.getByLabelText('Message'), 'hello{Enter}');
    await waitFor(() => expect(api.calls.at(-2)?.body).toEqual({ message: 'hello' }));
  });

  it('keeps the text and says so when the backend is down', async () => {
    const api = chatApi();
    api.routes[`POST ${BASE}/chat`] = { status: 502, body: { detail: 'The server is unavailable right now.' } };
    renderSignedIn(<ChatPanel />);
    await userEvent.type(await screen.findByLabelText('Message'), 'Add a task{Enter}');

    expect(await screen.findByRole('alert')).toHaveTextContent(/server is unavailable/i);
    expect(screen.getByLabelText('Message')).toHaveValue('Add a task');
    expect(within(screen.getByRole('log')).queryByText('Add a task')).not.toBeInTheDocument();

    api.routes[`POST ${BASE}/chat`] = unreachable;
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(/cannot reach the server/i);
  });

  it('shows a retryable error when the history cannot be loaded', async () => {
    const api = chatApi();
    api.routes[`GET ${BASE}/conversations`] = { status: 503, body: { detail: 'Service unavailable' } };
    renderSignedIn(<ChatPanel />);
    expect(await screen.findByRole('alert')).toHaveTextContent(/server is unavailable/i);
    api.routes[`GET ${BASE}/conversations`] = { status: 200, body: { conversations: [], total: 0 } };
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText('No conversations yet.')).toBeInTheDocument();
  });

  it('sends the user to sign in when the session has expired (401)', async () => {
    navigation.pathname = '/chat';
    const api = chatApi();
    api.routes[`POST ${BASE}/chat`] = { status: 401, body: { detail: 'Not authenticated' } };
    renderSignedIn(<ChatPanel />);
    await userEvent.type(await screen.findByLabelText('Message'), 'hi{Enter}');
    await waitFor(() => expect(navigation.router.replace).toHaveBeenCalledWith('/sign-in?expired=1&next=%2Fchat'));
  });

  it('loads the history a page at a time, never all of it at once', async () => {
    const summaries = Array.from({ length: 25 }, (_, i) => ({
      id: 100 - i,
      title: `Conversation ${i + 1}`,
      created_at: at,
      updated_at: at,
    }));
    const api = fakeApi({
      [`GET ${BASE}/conversations`]: ({ query }) => {
        const offset = Number(query.get('offset') ?? 0);
        return { status: 200, body: { conversations: summaries.slice(offset, offset + 20), total: 25 } };
      },
    });
    renderSignedIn(<ChatPanel />);
    expect(await screen.findByRole('button', { name: /^Conversation 20/ })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Conversation 21/ })).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Show more conversations (5 more)' }));
    expect(await screen.findByRole('button', { name: /^Conversation 25/ })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Show more conversations/ })).not.toBeInTheDocument();
    expect(api.calls.map((call) => call.query.get('offset'))).toEqual([null, '20']);
  });

  it('opens a long conversation at its newest page and loads earlier messages on request', async () => {
    const message = (id: number) => ({
      id,
      role: id % 2 ? 'user' : 'assistant',
      content: `message ${id}`,
      tool_calls: [],
      created_at: at,
    });
    const api = chatApi([{ id: 3, title: 'A long one' }]);
    api.routes[`GET ${BASE}/conversations/3`] = ({ query }) => {
      const offset = Number(query.get('offset') ?? 0);
      const ids = Array.from({ length: 60 }, (_, i) => i + 1).slice(Math.max(0, 60 - offset - 50), 60 - offset);
      return {
        status: 200,
        body: { id: 3, title: 'A long one', created_at: at, updated_at: at, messages: ids.map(message), total: 60 },
      };
    };
    renderSignedIn(<ChatPanel />);
    await userEvent.click(await screen.findByRole('button', { name: /^A long one/ }));
    const log = screen.getByRole('log', { name: 'Conversation' });
    expect(await within(log).findByText('message 60')).toBeInTheDocument();
    expect(within(log).queryByText('message 10')).not.toBeInTheDocument();

    await userEvent.click(within(log).getByRole('button', { name: 'Show earlier messages' }));
    expect(await within(log).findByText('message 1')).toBeInTheDocument();
    expect(within(log).getAllByRole('article')).toHaveLength(60);
    expect(within(log).queryByRole('button', { name: 'Show earlier messages' })).not.toBeInTheDocument();
    const reads = api.calls.filter((call) => call.path === `${BASE}/conversations/3`);
    expect(reads.map((call) => call.query.get('offset'))).toEqual([null, '50']);
  });

  it('deletes a conversation from the history', async () => {
    const api = chatApi([{ id: 3, title: 'What is pending?' }]);
    api.routes[`DELETE ${BASE}/conversations/3`] = () => {
      api.routes[`GET ${BASE}/conversations`] = { status: 200, body: { conversations: [], total: 0 } };
      return { status: 204 };
    };
    renderSignedIn(<ChatPanel />);
    await userEvent.click(await screen.findByRole('button', { name: 'Delete conversation “What is pending?”' }));
    expect(await screen.findByText('No conversations yet.')).toBeInTheDocument();
  });
});
