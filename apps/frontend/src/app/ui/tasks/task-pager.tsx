'use client';

import buttons from '../button.module.css';
import styles from './tasks.module.css';

interface TaskPagerProps {
  offset: number;
  /** How many tasks the current page shows. */
  shown: number;
  total: number;
  pageSize: number;
  onPage: (offset: number) => void;
}

/** "1–50 of 120" and, when there is more than one page, the buttons to step through them. */
export function TaskPager({ offset, shown, total, pageSize, onPage }: TaskPagerProps) {
  const range = `${offset + 1}–${offset + shown} of ${total}`;
  if (total <= pageSize && offset === 0) {
    return <p className={styles.pageRange}>{range}</p>;
  }
  return (
    <nav aria-label="Task pages" className={styles.pager}>
      <button
        type="button"
        className={`${buttons.button} ${buttons.secondary}`}
        disabled={offset === 0}
        onClick={() => onPage(Math.max(0, offset - pageSize))}
      >
        <span aria-hidden="true">←</span> Previous page
      </button>
      <p className={styles.pageRange} aria-live="polite">
        {range}
      </p>
      <button
        type="button"
        className={`${buttons.button} ${buttons.secondary}`}
        disabled={offset + shown >= total}
        onClick={() => onPage(offset + pageSize)}
      >
        Next page <span aria-hidden="true">→</span>
      </button>
    </nav>
  );
}
