'use client';

import { LIMITS, type CreateTask } from '@todo-stack/shared';
import { useId, useState, type FormEvent } from 'react';
import buttons from '../button.module.css';
import styles from './tasks.module.css';

interface TaskFormProps {
  /** Resolves with field errors to show (empty when saved). */
  onSubmit: (task: CreateTask) => Promise<Record<string, string> | null>;
  initial?: { title: string; description: string | null };
  submitLabel: string;
  onCancel?: () => void;
  /** Accessible name of the form, e.g. "Add a task" or "Edit Buy milk". */
  label: string;
}

export function TaskForm({ onSubmit, initial, submitLabel, onCancel, label }: TaskFormProps) {
  const id = useId();
  const [title, setTitle] = useState(initial?.title ?? '');
  const [description, setDescription] = useState(initial?.description ?? '');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!title.trim()) {
      setErrors({ title: 'Enter a title.' });
      return;
    }
    setPending(true);
    const problems = await onSubmit({ title: title.trim(), description: description.trim() || null });
    setPending(false);
    setErrors(problems ?? {});
    if (!problems && !initial) {
      setTitle('');
      setDescription('');
    }
  }

  return (
    <form className={styles.form} onSubmit={submit} aria-label={label} noValidate>
      <div className={styles.field}>
        <label htmlFor={`${id}-title`}>Title</label>
        <input
          id={`${id}-title`}
          name="title"
          value={title}
          onChange={(event) => setTitle(event.target.value)}
          maxLength={LIMITS.taskTitle}
          required
          autoFocus={Boolean(initial)}
          aria-invalid={errors['title'] ? true : undefined}
          aria-describedby={errors['title'] ? `${id}-title-error` : undefined}
        />
        {errors['title'] ? (
          <p id={`${id}-title-error`} className={styles.fieldError}>
            {errors['title']}
          </p>
        ) : null}
      </div>
      <div className={styles.field}>
        <label htmlFor={`${id}-description`}>
          Description <span className={styles.optional}>(optional)</span>
        </label>
        <textarea
          id={`${id}-description`}
          name="description"
          rows={2}
          value={description}
          onChange={(event) => setDescription(event.target.value)}
          maxLength={LIMITS.taskDescription}
          aria-invalid={errors['description'] ? true : undefined}
          aria-describedby={errors['description'] ? `${id}-description-error` : undefined}
        />
        {errors['description'] ? (
          <p id={`${id}-description-error`} className={styles.fieldError}>
            {errors['description']}
          </p>
        ) : null}
      </div>
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
