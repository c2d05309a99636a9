'use client';

import { LIMITS, TASK_STATUSES, type CreateTask, type Task, type TaskList, type TaskStatus } from '@todo-stack/shared';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, fieldErrors } from '@/app/lib/api';
import { useSession, useUser } from '@/app/lib/session';
import buttons from '../button.module.css';
import { TaskForm } from './task-form';
import { TaskItem } from './task-item';
import { TaskPager } from './task-pager';
import styles from './tasks.module.css';

const FILTER_LABELS: Record<TaskStatus, string> = { all: 'All', pending: 'Pending', completed: 'Completed' };
const EMPTY: Record<TaskStatus, string> = {
  all: 'No tasks yet. Add one above, or ask the assistant in Chat.',
  pending: 'Nothing pending. Well done!',
  completed: 'No completed tasks yet.',
};

type Load =
  | { status: 'loading' }
  | { status: 'ready'; tasks: Task[]; total: number }
  | { status: 'error'; message: string };

interface TaskBoardProps {
  /** The first page of all tasks, read on the server with the page; null: load it here. */
  initial?: TaskList | null;
  pageSize?: number;
}

export function TaskBoard({ initial = null, pageSize = LIMITS.taskPageDefault }: TaskBoardProps) {
  const user = useUser();
  const { handleError } = useSession();
  const [filter, setFilter] = useState<TaskStatus>('all');
  const [offset, setOffset] = useState(0);
  const [load, setLoad] = useState<Load>(initial ? { status: 'ready', ...initial } : { status: 'loading' });
  const [actionError, setActionError] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');
  // The server's first page stands for the first load (all tasks, offset 0): no second fetch on arrival.
  const serverPage = useRef(initial !== null);

  const reload = useCallback(async () => {
    try {
      const list = await api.tasks.list(user.id, { status: filter, limit: pageSize, offset });
      if (list.tasks.length === 0 && offset > 0 && list.total > 0) {
        // The page emptied (its last task deleted elsewhere or here): show the last page that has tasks.
        setOffset(Math.floor((list.total - 1) / pageSize) * pageSize);
        return;
      }
      setLoad({ status: 'ready', tasks: list.tasks, total: list.total });
    } catch (error) {
      const message = handleError(error);
      if (message) setLoad({ status: 'error', message });
    }
  }, [user.id, filter, offset, pageSize, handleError]);

  useEffect(() => {
    if (serverPage.current) {
      serverPage.current = false;
      return;
    }
    setLoad({ status: 'loading' });
    void reload();
  }, [reload]);

  function showFilter(status: TaskStatus) {
    setFilter(status);
    setOffset(0);
  }

  /** Runs a change, then re-reads the list (the filter decides what stays visible). */
  async function change(action: () => Promise<unknown>, done: string): Promise<Record<string, string> | null> {
    setActionError(null);
    try {
      await action();
      setAnnouncement(done);
      await reload();
      return null;
    } catch (error) {
      const fields = fieldErrors(error);
      if (Object.keys(fields).length > 0) return fields;
      const message = handleError(error);
      if (message) setActionError(message);
      return {};
    }
  }

  const add = (task: CreateTask) => change(() => api.tasks.create(user.id, task), `Added “${task.title}”.`);
  const save = (task: Task, changes: CreateTask) =>
    change(() => api.tasks.update(user.id, task.id, changes), `Saved “${changes.title}”.`);
  const toggle = async (task: Task) => {
    await change(
      () => api.tasks.toggle(user.id, task.id),
      task.completed ? `Marked “${task.title}” as pending.` : `Completed “${task.title}”.`,
    );
  };
  const remove = async (task: Task) => {
    await change(() => api.tasks.remove(user.id, task.id), `Deleted “${task.title}”.`);
  };

  return (
    <div className={styles.board}>
      <h1>Tasks</h1>
      <section className={styles.panel} aria-labelledby="add-task-heading">
        <h2 id="add-task-heading" className={styles.panelTitle}>
          Add a task
        </h2>
        <TaskForm label="Add a task" submitLabel="Add task" onSubmit={(task) => add(task)} />
      </section>

      <section className={styles.panel} aria-labelledby="task-list-heading">
        <div className={styles.listHeader}>
          <h2 id="task-list-heading" className={styles.panelTitle}>
            Your tasks
          </h2>
          <div role="group" aria-label="Show" className={styles.filters}>
            {TASK_STATUSES.map((status) => (
              <button
                key={status}
                type="button"
                className={styles.filter}
                aria-pressed={filter === status}
                onClick={() => showFilter(status)}
              >
                {FILTER_LABELS[status]}
              </button>
            ))}
          </div>
        </div>

        {actionError ? (
          <div role="alert" className={styles.error}>
            {actionError}
          </div>
        ) : null}
        <p className="visually-hidden" role="status" aria-live="polite">
          {announcement}
        </p>

        {load.status === 'loading' ? (
          <p role="status" className={styles.muted}>
            Loading tasks…
          </p>
        ) : load.status === 'error' ? (
          <div role="alert" className={styles.error}>
            <p>{load.message}</p>
            <button type="button" className={`${buttons.button} ${buttons.secondary}`} onClick={() => void reload()}>
              Retry
            </button>
          </div>
        ) : load.tasks.length === 0 ? (
          <p className={styles.empty}>{EMPTY[filter]}</p>
        ) : (
          <>
            <ul className={styles.list} aria-label={`${FILTER_LABELS[filter]} tasks`}>
              {load.tasks.map((task) => (
                <TaskItem key={task.id} task={task} onToggle={toggle} onSave={save} onDelete={remove} />
              ))}
            </ul>
            <TaskPager
              offset={offset}
              shown={load.tasks.length}
              total={load.total}
              pageSize={pageSize}
              onPage={setOffset}
            />
          </>
        )}
      </section>
    </div>
  );
}
