'use client';

import type { Task } from '@todo-stack/shared';
import { useId, useOptimistic, useState, useTransition } from 'react';
import { UNREACHABLE, type ActionResult } from '@/app/lib/action-state';
import { deleteTask, toggleTask, updateTask } from '@/app/lib/actions';
import buttons from '../button.module.css';
import { TaskForm } from './task-form';
import styles from './tasks.module.css';
import type { TaskFeedback } from './use-task-feedback';

interface TaskItemProps {
  task: Task;
  feedback: Pick<TaskFeedback, 'begin' | 'report'>;
}

/** One task: its checkbox (shown toggled at once, until the server's list confirms it), edit and delete. */
export function TaskItem({ task, feedback }: TaskItemProps) {
  const id = useId();
  const [editing, setEditing] = useState(false);
  const [busy, startTransition] = useTransition();
  const [completed, showCompleted] = useOptimistic(task.completed);

  function run(action: () => Promise<ActionResult>, announce?: string) {
    feedback.begin();
    startTransition(async () => {
      let result: ActionResult;
      try {
        result = await action();
      } catch {
        result = UNREACHABLE;
      }
      feedback.report(result, announce);
    });
  }

  if (editing) {
    return (
      <li className={styles.item}>
        <TaskForm
          label={`Edit ${task.title}`}
          task={task}
          action={updateTask}
          submitLabel="Save"
          onCancel={() => setEditing(false)}
          onResult={(result) => {
            feedback.report(result);
            if (result.status === 'done') setEditing(false);
          }}
        />
      </li>
    );
  }

  return (
    <li className={styles.item} data-completed={completed} aria-busy={busy}>
      <input
        id={`${id}-done`}
        type="checkbox"
        className={styles.checkbox}
        checked={completed}
        disabled={busy}
        onChange={() =>
          run(() => {
            showCompleted(!task.completed);
            return toggleTask(task.id);
          })
        }
      />
      <div className={styles.body}>
        <label htmlFor={`${id}-done`} className={styles.title}>
          {task.title}
          <span className="visually-hidden">{completed ? ' (completed)' : ' (pending)'}</span>
        </label>
        {task.description ? <p className={styles.description}>{task.description}</p> : null}
      </div>
      <div className={styles.itemActions}>
        <button
          type="button"
          className={`${buttons.button} ${buttons.secondary} ${buttons.small}`}
          onClick={() => setEditing(true)}
          disabled={busy}
          aria-label={`Edit ${task.title}`}
        >
          Edit
        </button>
        <button
          type="button"
          className={`${buttons.button} ${buttons.danger} ${buttons.small}`}
          onClick={() => run(() => deleteTask(task.id), `Deleted “${task.title}”.`)}
          disabled={busy}
          aria-label={`Delete ${task.title}`}
        >
          Delete
        </button>
      </div>
    </li>
  );
}
