'use client';

import type { TaskList } from '@todo-stack/shared';
import type { Read } from '@/app/lib/read';
import type { TaskView } from '@/app/lib/task-view';
import { createTask } from '@/app/lib/actions';
import { RetryAlert } from '../shell/retry-alert';
import { STATUS_LABELS, TaskFilters } from './task-filters';
import { TaskForm } from './task-form';
import { TaskItem } from './task-item';
import { TaskPager } from './task-pager';
import styles from './tasks.module.css';
import { useTaskFeedback } from './use-task-feedback';

const EMPTY: Record<TaskView['status'], string> = {
  all: 'No tasks yet. Add one above, or ask the assistant in Chat.',
  pending: 'Nothing pending. Well done!',
  completed: 'No completed tasks yet.',
};

interface TaskBoardProps {
  /** What the URL asks for (status, sort, offset). */
  view: TaskView;
  /** That page of tasks, read on the server with the page, or why it could not be read. */
  list: Read<TaskList>;
  pageSize: number;
}

/** The task page: the list the server read, and the forms and buttons whose Server Actions change it. */
export function TaskBoard({ view, list, pageSize }: TaskBoardProps) {
  const feedback = useTaskFeedback();
  return (
    <div className={styles.board}>
      <h1>Tasks</h1>
      <section className={styles.panel} aria-labelledby="add-task-heading">
        <h2 id="add-task-heading" className={styles.panelTitle}>
          Add a task
        </h2>
        <TaskForm label="Add a task" submitLabel="Add task" action={createTask} onResult={feedback.report} />
      </section>

      <section className={styles.panel} aria-labelledby="task-list-heading">
        <div className={styles.listHeader}>
          <h2 id="task-list-heading" className={styles.panelTitle}>
            Your tasks
          </h2>
          <TaskFilters view={view} />
        </div>

        {feedback.error ? (
          <div role="alert" className={styles.error}>
            {feedback.error}
          </div>
        ) : null}
        <p className="visually-hidden" role="status" aria-live="polite">
          {feedback.announcement}
        </p>

        {!list.ok ? (
          <RetryAlert message={list.message} className={styles.error} />
        ) : list.data.tasks.length === 0 ? (
          <p className={styles.empty}>{EMPTY[view.status]}</p>
        ) : (
          <>
            <ul className={styles.list} aria-label={`${STATUS_LABELS[view.status]} tasks`}>
              {list.data.tasks.map((task) => (
                <TaskItem key={task.id} task={task} feedback={feedback} />
              ))}
            </ul>
            <TaskPager view={view} shown={list.data.tasks.length} total={list.data.total} pageSize={pageSize} />
          </>
        )}
      </section>
    </div>
  );
}
