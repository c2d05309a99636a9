import type { Metadata } from 'next';
import { RequireUser } from '../ui/shell/require-user';
import { TaskBoard } from '../ui/tasks/task-board';

export const metadata: Metadata = { title: 'Tasks' };

export default function TasksPage() {
  return (
    <RequireUser>
      <TaskBoard />
    </RequireUser>
  );
}
