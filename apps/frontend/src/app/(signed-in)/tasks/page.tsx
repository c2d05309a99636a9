import { LIMITS } from '@todo-stack/shared';
import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { readTasks } from '@/app/lib/data';
import { parseTaskView, tasksHref } from '@/app/lib/task-view';
import { TaskBoard } from '@/app/ui/tasks/task-board';

export const metadata: Metadata = { title: 'Tasks' };

const PAGE_SIZE = LIMITS.taskPageDefault;

/** The task list as the URL asks for it (`?status=&sort=&offset=`), read on the server and sent with the HTML. */
export default async function TasksPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const view = parseTaskView(await props.searchParams, PAGE_SIZE);
  const list = await readTasks(view, PAGE_SIZE);
  if (list.ok && list.data.tasks.length === 0 && view.offset > 0 && list.data.total > 0) {
    // The page emptied (its last tasks deleted, here or elsewhere): the last page that has tasks.
    redirect(tasksHref({ ...view, offset: Math.floor((list.data.total - 1) / PAGE_SIZE) * PAGE_SIZE }));
  }
  return <TaskBoard view={view} list={list} pageSize={PAGE_SIZE} />;
}
