import type { Metadata } from 'next';
import { readConversation, readConversations } from '@/app/lib/data';
import { parseChatView } from '@/app/lib/chat-view';
import { ChatPanel } from '@/app/ui/chat/chat-panel';

export const metadata: Metadata = { title: 'Chat' };

/** The history and the open conversation (`?conversation=`), both read on the server and sent with the HTML. */
export default async function ChatPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const view = parseChatView(await props.searchParams);
  const [history, conversation] = await Promise.all([
    readConversations(view.conversations),
    view.conversation === null ? null : readConversation(view.conversation, view.messages),
  ]);
  return <ChatPanel view={view} history={history} conversation={conversation} />;
}
