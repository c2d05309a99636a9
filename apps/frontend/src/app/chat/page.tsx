import type { Metadata } from 'next';
import { ChatPanel } from '@/app/ui/chat/chat-panel';
import { RequireUser } from '@/app/ui/shell/require-user';

export const metadata: Metadata = { title: 'Chat' };

export default function ChatPage() {
  return (
    <RequireUser>
      <ChatPanel />
    </RequireUser>
  );
}
