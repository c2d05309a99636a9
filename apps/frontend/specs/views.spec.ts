import { chatHref, DEFAULT_CHAT_VIEW, parseChatView } from '@/app/lib/chat-view';
import { DEFAULT_TASK_VIEW, parseTaskView, tasksHref } from '@/app/lib/task-view';

describe('the task page’s URL', () => {
  it('reads status, sort and offset, and writes them back without the defaults', () => {
    const view = parseTaskView({ status: 'pending', sort: 'title', offset: '100' }, 50);
    expect(view).toEqual({ status: 'pending', sort: 'title', offset: 100 });
    expect(tasksHref(view)).toBe('/tasks?status=pending&sort=title&offset=100');
    expect(tasksHref(DEFAULT_TASK_VIEW)).toBe('/tasks');
  });

  it.each([
    [{ status: 'done', sort: 'priority' }],
    [{ status: ['pending', 'completed'] }],
    [{ offset: '-50' }],
    [{ offset: '1e3' }],
    [{ offset: '99999999' }],
    [{ offset: '5000' }],
  ])('shows the first page of all tasks for what it does not know: %p', (params) => {
    expect(parseTaskView(params, 50)).toEqual(DEFAULT_TASK_VIEW);
  });

  it('rounds an offset down to a whole page', () => {
    expect(parseTaskView({ offset: '75' }, 50).offset).toBe(50);
  });
});

describe('the chat page’s URL', () => {
  it('reads the open conversation and how much to show, within what an account may hold', () => {
    expect(parseChatView({ conversation: '12', conversations: '40', messages: '100' })).toEqual({
      conversation: 12,
      conversations: 40,
      messages: 100,
    });
    expect(parseChatView({ conversations: '100000', messages: '5' })).toEqual({
      conversation: null,
      conversations: 200,
      messages: DEFAULT_CHAT_VIEW.messages,
    });
    for (const conversation of ['0', '-1', 'x', '99999999999', ['1', '2']]) {
      expect(parseChatView({ conversation }).conversation).toBeNull();
    }
  });

  it('writes a view back without the defaults', () => {
    expect(chatHref(DEFAULT_CHAT_VIEW)).toBe('/chat');
    expect(chatHref({ conversation: 3, conversations: 40, messages: 100 })).toBe(
      '/chat?conversation=3&conversations=40&messages=100',
    );
    // The message count belongs to an open conversation only.
    expect(chatHref({ conversation: null, conversations: 20, messages: 100 })).toBe('/chat');
  });
});
