import type { Metadata } from 'next';
import { readFirstTaskPage, readSession } from '@/app/lib/data';
import { TaskBoard } from '@/app/ui/tasks/task-board';

export const metadata: Metadata = { title: 'Tasks' };

/** The first page of tasks comes with the HTML (read on the server); filters and paging then load in the browser. */
export default async function TasksPage() {
  const session = await readSession();
  const initial = session.status === 'authenticated' ? await readFirstTaskPage(session.user.id) : null;
  return <TaskBoard initial={initial} />;
}
