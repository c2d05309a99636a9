import Link from 'next/link';
import type { ReactNode } from 'react';
import { tasksHref, type TaskView } from '@/app/lib/task-view';
import buttons from '../button.module.css';
import styles from './tasks.module.css';

interface TaskPagerProps {
  view: TaskView;
  /** How many tasks the current page shows. */
  shown: number;
  total: number;
  pageSize: number;
}

/** "1–50 of 120" and, when there is more than one page, links to the pages before and after. */
export function TaskPager({ view, shown, total, pageSize }: TaskPagerProps) {
  const range = `${view.offset + 1}–${view.offset + shown} of ${total}`;
  if (total <= pageSize && view.offset === 0) {
    return <p className={styles.pageRange}>{range}</p>;
  }
  const previous = view.offset > 0 ? tasksHref({ ...view, offset: Math.max(0, view.offset - pageSize) }) : null;
  const next = view.offset + shown < total ? tasksHref({ ...view, offset: view.offset + pageSize }) : null;
  return (
    <nav aria-label="Task pages" className={styles.pager}>
      <PageLink href={previous}>
        <span aria-hidden="true">←</span> Previous page
      </PageLink>
      <p className={styles.pageRange} aria-live="polite">
        {range}
      </p>
      <PageLink href={next}>
        Next page <span aria-hidden="true">→</span>
      </PageLink>
    </nav>
  );
}

/** A link to a page, or the same words shown as unavailable on the first and the last page. */
function PageLink({ href, children }: { href: string | null; children: ReactNode }) {
  const className = `${buttons.button} ${buttons.secondary}`;
  if (!href) {
    return (
      <a className={className} aria-disabled="true" role="link">
        {children}
      </a>
    );
  }
  return (
    <Link href={href} className={className} scroll={false}>
      {children}
    </Link>
  );
}
