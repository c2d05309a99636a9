'use client';

import { LIMITS } from '@todo-stack/shared';
import { useId, type ReactNode } from 'react';
import type { ActionResult, TaskFormState } from '@/app/lib/action-state';
import buttons from '../button.module.css';
import styles from './tasks.module.css';
import { useTaskForm } from './use-task-form';

interface TaskFormProps {
  /** The Server Action that saves the form (`createTask`, or `updateTask` with `taskId`). */
  action: (previous: TaskFormState, form: FormData) => Promise<TaskFormState>;
  onResult: (result: ActionResult) => void;
  /** The task being edited; none for a new one. */
  task?: { id: number; title: string; description: string | null };
  submitLabel: string;
  onCancel?: () => void;
  /** Accessible name of the form, e.g. "Add a task" or "Edit Buy milk". */
  label: string;
}

export function TaskForm({ action, onResult, task, submitLabel, onCancel, label }: TaskFormProps) {
  const id = useId();
  const { formAction, pending, fields, values } = useTaskForm(action, onResult);
  return (
    <form className={styles.form} action={formAction} aria-label={label} noValidate>
      {task ? <input type="hidden" name="id" value={task.id} /> : null}
      <Field id={`${id}-title`} label="Title" error={fields['title']}>
        {(described) => (
          <input
            {...described}
            name="title"
            defaultValue={values?.title ?? task?.title ?? ''}
            maxLength={LIMITS.taskTitle}
            required
            autoFocus={Boolean(task)}
          />
        )}
      </Field>
      <Field id={`${id}-description`} label="Description" optional error={fields['description']}>
        {(described) => (
          <textarea
            {...described}
            name="description"
            rows={2}
            defaultValue={values?.description ?? task?.description ?? ''}
            maxLength={LIMITS.taskDescription}
          />
        )}
      </Field>
      <div className={styles.actions}>
        <button type="submit" className={buttons.button} disabled={pending}>
          {pending ? 'Saving…' : submitLabel}
        </button>
        {onCancel ? (
          <button type="button" className={`${buttons.button} ${buttons.secondary}`} onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}

interface Described {
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

/** A label, its control and the control's problem, tied together for assistive technology. */
function Field(props: {
  id: string;
  label: string;
  optional?: boolean;
  error: string | undefined;
  children: (described: Described) => ReactNode;
}) {
  const { id, label, optional, error, children } = props;
  return (
    <div className={styles.field}>
      <label htmlFor={id}>
        {label}
        {optional ? <span className={styles.optional}> (optional)</span> : null}
      </label>
      {children({
        id,
        'aria-invalid': error ? true : undefined,
        'aria-describedby': error ? `${id}-error` : undefined,
      })}
      {error ? (
        <p id={`${id}-error`} className={styles.fieldError}>
          {error}
        </p>
      ) : null}
    </div>
  );
}
