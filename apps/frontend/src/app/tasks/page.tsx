import type { Metadata } from 'next';
import { RequireUser } from '@/app/ui/shell/require-user';
import { TaskBoard } from '@/app/ui/tasks/task-board';

export const metadata: Metadata = { title: 'Tasks' };

export default function TasksPage() {
  return (
    <RequireUser>
      <TaskBoard />
    </RequireUser>
  );
}
