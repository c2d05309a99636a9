/**
 * Collects changed files and hands them over once no change arrived for `quietMs`: an editor's save (write,
 * rename, chmod) or a `git checkout` is one burst and becomes one redeploy.
 */
export class Debouncer {
  private readonly files = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly quietMs: number;
  private readonly flush: (files: string[]) => void;

  constructor(quietMs: number, flush: (files: string[]) => void) {
    this.quietMs = quietMs;
    this.flush = flush;
  }

  add(files: Iterable<string>): void {
    for (const file of files) this.files.add(file);
    if (!this.files.size) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const batch = [...this.files].sort();
      this.files.clear();
      this.flush(batch);
    }, this.quietMs);
  }

  /** Drops what is pending (on stop). */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.files.clear();
  }
}
