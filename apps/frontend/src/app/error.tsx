'use client';

import buttons from './ui/button.module.css';

export default function ErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <section role="alert">
      <h1>Something went wrong</h1>
      <p>The page could not be shown. Try again; if it keeps happening, reload the page.</p>
      <button type="button" className={buttons.button} onClick={() => reset()}>
        Try again
      </button>
    </section>
  );
}
