import type { CommandResult, RunOptions, Runner } from '../../../lib/runner.ts';

/**
 * A runner that keeps the steps' output instead of printing it, so a loop prints one line when it went well and
 * everything the steps said (helm's messages, the diagnosis) when it did not.
 */
export class BufferingRunner implements Runner {
  private lines: string[] = [];

  private readonly inner: Runner;

  constructor(inner: Runner) {
    this.inner = inner;
  }

  async run(command: string, args: string[], options: RunOptions = {}): Promise<CommandResult> {
    const result = await this.inner.run(command, args, { ...options, capture: true });
    // What would have streamed to the terminal is kept with the rest.
    if (!options.capture) this.lines.push(...[result.stdout, result.stderr].flatMap(nonEmptyLines));
    return result;
  }

  which(command: string): string | undefined {
    return this.inner.which(command);
  }

  info(message: string): void {
    this.lines.push(message);
  }

  error(message: string): void {
    this.lines.push(message);
  }

  /** Prints what was kept on the inner runner's error stream and forgets it. */
  flush(): void {
    for (const line of this.lines) this.inner.error(line);
    this.lines = [];
  }

  discard(): void {
    this.lines = [];
  }
}

const nonEmptyLines = (text: string) => text.split(/\r?\n/).filter((line) => line.trim() !== '');
