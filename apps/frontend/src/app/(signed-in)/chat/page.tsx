import type { Metadata } from 'next';
import { ChatPanel } from '@/app/ui/chat/chat-panel';

export const metadata: Metadata = { title: 'Chat' };

export default function ChatPage() {
  return <ChatPanel />;
}
