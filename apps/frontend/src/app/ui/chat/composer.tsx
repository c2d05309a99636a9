'use client';

import { LIMITS } from '@todo-stack/shared';
import type { FormEvent, KeyboardEvent, RefObject } from 'react';
import buttons from '../button.module.css';
import styles from './chat.module.css';

interface ComposerProps {
  id: string;
  draft: string;
  onDraft: (text: string) => void;
  onSend: () => void;
  sending: boolean;
  inputRef: RefObject<HTMLTextAreaElement | null>;
}

/** The message input: Enter sends, Shift+Enter adds a line. */
export function Composer({ id, draft, onDraft, onSend, sending, inputRef }: ComposerProps) {
  function submit(event: FormEvent) {
    event.preventDefault();
    onSend();
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      onSend();
    }
  }

  return (
    <form className={styles.composer} onSubmit={submit}>
      <label htmlFor={`${id}-message`} className="visually-hidden">
        Message
      </label>
      <textarea
        id={`${id}-message`}
        ref={inputRef}
        name="message"
        rows={2}
        value={draft}
        maxLength={LIMITS.chatMessage}
        placeholder="Message the assistant…"
        aria-describedby={`${id}-hint`}
        onChange={(event) => onDraft(event.target.value)}
        onKeyDown={onKeyDown}
      />
      <button type="submit" className={buttons.button} disabled={sending || !draft.trim()}>
        {sending ? 'Sending…' : 'Send'}
      </button>
      <p id={`${id}-hint`} className={styles.hint}>
        Enter sends, Shift+Enter adds a line.
      </p>
    </form>
  );
}
