import type { Metadata } from 'next';
import { ChatPanel } from '../ui/chat/chat-panel';
import { RequireUser } from '../ui/shell/require-user';

export const metadata: Metadata = { title: 'Chat' };

export default function ChatPage() {
  return (
    <RequireUser>
      <ChatPanel />
    </RequireUser>
  );
}
