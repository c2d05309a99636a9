import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ConversationList } from '@todo-stack/shared';
import { deleteConversation, sendChatMessage } from '@/app/lib/actions';
import { DEFAULT_CHAT_VIEW, type ChatView } from '@/app/lib/chat-view';
import type { OpenConversation, Read } from '@/app/lib/read';
import { ChatPanel } from '@/app/ui/chat/chat-panel';
import { navigation } from './support/navigation';
import { renderSignedIn } from './support/render';

// The Server Actions are the panel's only way to the backend (their own behaviour: actions.spec.ts).
jest.mock('@/app/lib/actions', () => ({ sendChatMessage: jest.fn(), deleteConversation: jest.fn() }));
const send = jest.mocked(sendChatMessage);
const remove = jest.mocked(deleteConversation);

const at = '2026-01-02T10:00:00.000Z';

const history = (items: { id: number; title: string }[], total = items.length): Read<ConversationList> => ({
  ok: true,
  data: { conversations: items.map((c) => ({ ...c, created_at: at, updated_at: at })), total },
});

const pending: Read<OpenConversation> = {
  ok: true,
  data: {
    id: 3,
    title: 'What is pending?',
    total: 2,
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
  },
};

function renderChat(
  view: Partial<ChatView> = {},
  list: Read<ConversationList> = history([]),
  conversation: Read<OpenConversation> | null = null,
) {
  return renderSignedIn(
    <ChatPanel view={{ ...DEFAULT_CHAT_VIEW, ...view }} history={list} conversation={conversation} />,
  );
}

beforeEach(() => jest.resetAllMocks());

describe('chat panel', () => {
  it('shows the open conversation the server read, with the tools that ran', () => {
    renderChat({ conversation: 3 }, history([{ id: 3, title: 'What is pending?' }]), pending);
    const log = screen.getByRole('log', { name: 'Conversation' });
    expect(within(log).getByText('You have one pending task: Call mom.')).toBeInTheDocument();
    expect(within(log).getByRole('list', { name: 'Tools used' })).toHaveTextContent('list_tasks');
    expect(screen.getByRole('link', { name: /^What is pending\?/ })).toHaveAttribute('aria-current', 'page');
    expect(within(log).queryByRole('link', { name: 'Show earlier messages' })).not.toBeInTheDocument();
  });

  it('links each conversation, a new one and more of the history to their URLs', () => {
    renderChat(
      { conversation: 3 },
      history(
        [
          { id: 3, title: 'What is pending?' },
          { id: 4, title: '' },
        ],
        25,
      ),
    );
    expect(screen.getByRole('link', { name: /^Untitled conversation/ })).toHaveAttribute(
      'href',
      '/chat?conversation=4',
    );
    expect(screen.getByRole('link', { name: 'New conversation' })).toHaveAttribute('href', '/chat');
    expect(screen.getByRole('link', { name: 'Show more conversations (23 more)' })).toHaveAttribute(
      'href',
      '/chat?conversation=3&conversations=40',
    );
  });

  it('links to earlier messages when the conversation has more than it shows', () => {
    renderChat({ conversation: 3 }, history([]), {
      ...pending,
      data: { ...pending.data, total: 80 },
    } as typeof pending);
    expect(screen.getByRole('link', { name: 'Show earlier messages' })).toHaveAttribute(
      'href',
      '/chat?conversation=3&messages=100',
    );
  });

  it('shows the message at once while it is sent, then opens the new conversation', async () => {
    let answer: (value: Awaited<ReturnType<typeof sendChatMessage>>) => void = () => undefined;
    send.mockReturnValue(new Promise((resolve) => (answer = resolve)));
    renderChat();
    expect(screen.getByText('No conversations yet.')).toBeInTheDocument();

    await userEvent.type(screen.getByLabelText('Message'), 'Add a task to buy milk');
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    const log = screen.getByRole('log', { name: 'Conversation' });
    expect(await within(log).findByText('Add a task to buy milk')).toBeInTheDocument();
    expect(within(log).getByText('Assistant is thinking…')).toBeInTheDocument();
    expect(screen.getByLabelText('Message')).toHaveValue('');
    expect(send).toHaveBeenCalledWith({ conversationId: null, message: 'Add a task to buy milk' });

    answer({ status: 'sent', conversationId: 42 });
    await waitFor(() =>
      expect(navigation.router.replace).toHaveBeenCalledWith('/chat?conversation=42', { scroll: false }),
    );
  });

  it('continues the open conversation, and Enter sends', async () => {
    send.mockResolvedValue({ status: 'sent', conversationId: 3 });
    renderChat({ conversation: 3 }, history([{ id: 3, title: 'What is pending?' }]), pending);
    await userEvent.type(screen.getByLabelText('Message'), 'second{Enter}');
    await waitFor(() => expect(send).toHaveBeenCalledWith({ conversationId: 3, message: 'second' }));
    // Same conversation: the action's revalidation brings the new messages, no navigation.
    expect(navigation.router.replace).not.toHaveBeenCalled();
  });

  it('gives the text back and says why when a message could not be sent', async () => {
    send.mockResolvedValueOnce({
      status: 'failed',
      message: 'The server is unavailable right now. Try again in a moment.',
      fields: {},
    });
    send.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    renderChat();
    await userEvent.type(screen.getByLabelText('Message'), 'Add a task{Enter}');

    expect(await screen.findByRole('alert')).toHaveTextContent(/server is unavailable/i);
    expect(screen.getByLabelText('Message')).toHaveValue('Add a task');
    expect(within(screen.getByRole('log')).queryByText('Add a task')).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent(/cannot reach the server/i));
  });

  it('names the problem when the backend refused only a field of the message', async () => {
    send.mockResolvedValue({ status: 'failed', message: null, fields: { message: 'At most 5000 characters.' } });
    renderChat();
    await userEvent.type(screen.getByLabelText('Message'), 'long{Enter}');
    expect(await screen.findByRole('alert')).toHaveTextContent('At most 5000 characters.');
  });

  it('sends the user to sign in when the session has expired', async () => {
    navigation.pathname = '/chat';
    send.mockResolvedValue({ status: 'expired' });
    renderChat();
    await userEvent.type(screen.getByLabelText('Message'), 'hi{Enter}');
    await waitFor(() => expect(navigation.router.replace).toHaveBeenCalledWith('/sign-in?expired=1&next=%2Fchat'));
  });

  it('shows reads the server could not make, with a retry', async () => {
    renderChat(
      { conversation: 9 },
      { ok: false, message: 'The server is unavailable right now.' },
      { ok: false, message: 'Conversation not found' },
    );
    expect(screen.getByRole('complementary')).toHaveTextContent('The server is unavailable right now.');
    expect(within(screen.getByRole('log')).getByRole('alert')).toHaveTextContent('Conversation not found');
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(navigation.router.refresh).toHaveBeenCalled();
  });

  it('deletes a conversation; deleting the open one leaves it', async () => {
    remove.mockResolvedValue({ status: 'done', message: 'Conversation deleted.' });
    renderChat(
      { conversation: 3 },
      history([
        { id: 3, title: 'What is pending?' },
        { id: 4, title: 'Other' },
      ]),
      pending,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Delete conversation “Other”' }));
    await waitFor(() => expect(remove).toHaveBeenCalledWith(4));
    expect(navigation.router.replace).not.toHaveBeenCalled();

    await userEvent.click(screen.getByRole('button', { name: 'Delete conversation “What is pending?”' }));
    await waitFor(() => expect(navigation.router.replace).toHaveBeenCalledWith('/chat', { scroll: false }));
  });
});
