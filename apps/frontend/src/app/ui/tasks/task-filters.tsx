import { TASK_SORTS, TASK_STATUSES, type TaskSort, type TaskStatus } from '@todo-stack/shared';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { tasksHref, type TaskView } from '@/app/lib/task-view';
import styles from './tasks.module.css';

export const STATUS_LABELS: Record<TaskStatus, string> = { all: 'All', pending: 'Pending', completed: 'Completed' };
const SORT_LABELS: Record<TaskSort, string> = { created: 'Newest first', title: 'By title' };

/** Which tasks to show and in which order: links, so every view has its URL (and the first page). */
export function TaskFilters({ view }: { view: TaskView }) {
  return (
    <div className={styles.views}>
      <nav aria-label="Show" className={styles.filters}>
        {TASK_STATUSES.map((status) => (
          <ViewLink key={status} href={tasksHref({ ...view, status, offset: 0 })} current={view.status === status}>
            {STATUS_LABELS[status]}
          </ViewLink>
        ))}
      </nav>
      <nav aria-label="Sort" className={styles.filters}>
        {TASK_SORTS.map((sort) => (
          <ViewLink key={sort} href={tasksHref({ ...view, sort, offset: 0 })} current={view.sort === sort}>
            {SORT_LABELS[sort]}
          </ViewLink>
        ))}
      </nav>
    </div>
  );
}

function ViewLink({ href, current, children }: { href: string; current: boolean; children: ReactNode }) {
  return (
    <Link href={href} className={styles.filter} aria-current={current ? 'page' : undefined} scroll={false}>
      {children}
    </Link>
  );
}
