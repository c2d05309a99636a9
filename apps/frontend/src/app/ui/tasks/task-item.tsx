'use client';

import type { CreateTask, Task } from '@todo-stack/shared';
import { useId, useState } from 'react';
import buttons from '../button.module.css';
import { TaskForm } from './task-form';
import styles from './tasks.module.css';

interface TaskItemProps {
  task: Task;
  onToggle: (task: Task) => Promise<void>;
  onSave: (task: Task, changes: CreateTask) => Promise<Record<string, string> | null>;
  onDelete: (task: Task) => Promise<void>;
}

export function TaskItem({ task, onToggle, onSave, onDelete }: TaskItemProps) {
  const id = useId();
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);

  async function run(action: () => Promise<void>) {
    setBusy(true);
    try {
      await action();
    } finally {
      setBusy(false);
    }
  }

  if (editing) {
    return (
      <li className={styles.item}>
        <TaskForm
          label={`Edit ${task.title}`}
          initial={task}
          submitLabel="Save"
          onCancel={() => setEditing(false)}
          onSubmit={async (changes) => {
            const problems = await onSave(task, changes);
            if (!problems) setEditing(false);
            return problems;
          }}
        />
      </li>
    );
  }

  return (
    <li className={styles.item} data-completed={task.completed} aria-busy={busy}>
      <input
        id={`${id}-done`}
        type="checkbox"
        className={styles.checkbox}
        checked={task.completed}
        disabled={busy}
        onChange={() => void run(() => onToggle(task))}
      />
      <div className={styles.body}>
        <label htmlFor={`${id}-done`} className={styles.title}>
          {task.title}
          <span className="visually-hidden">{task.completed ? ' (completed)' : ' (pending)'}</span>
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
          onClick={() => void run(() => onDelete(task))}
          disabled={busy}
          aria-label={`Delete ${task.title}`}
        >
          Delete
        </button>
      </div>
    </li>
  );
}
