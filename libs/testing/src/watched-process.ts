import { spawn, type ChildProcess } from 'node:child_process';
import { waitFor } from './index.ts';

/**
 * A command that runs until it is stopped (a watch loop, a dev server), in its own process group: its output so far
 * (stdout and stderr as they came), a wait for a line matching a pattern, and Ctrl-C. What the suites that run
 * `nx run deploy:minikube --watch` share.
 */
export class WatchedProcess {
  output = '';
  readonly child: ChildProcess;
  /** Resolves with the exit code once the process has ended. */
  readonly exited: Promise<number | null>;
  /** How the process ended (`exit 0`, `exit SIGINT`), once it has; empty while it runs. */
  ended = '';

  constructor(command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
    console.log(`# (in ${options.cwd}) ${command} ${args.join(' ')}`);
    this.child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: SIGINT reaches the command and its children, as Ctrl-C does
    });
    const collect = (chunk: Buffer) => (this.output += chunk.toString());
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) =>
      this.child.on('close', (code, signal) => {
        this.ended = `exit ${code ?? signal}`;
        resolve(code);
      }),
    );
  }

  /** The first line from `offset` on that matches `pattern`; fails as soon as the process ends without one. */
  async line(pattern: RegExp, offset = 0, timeoutMs = 600_000, intervalMs = 200): Promise<string> {
    // waitFor resolves only with a truthy value: an object here.
    const seen = (await waitFor(
      () => {
        const line = this.output
          .slice(offset)
          .split('\n')
          .find((candidate) => pattern.test(candidate));
        return line !== undefined ? { line } : this.ended ? { line: undefined } : undefined;
      },
      { what: `a line matching ${pattern}`, timeoutMs, intervalMs },
    )) as { line: string | undefined };
    if (seen.line === undefined)
      throw new Error(`the process ended (${this.ended}) without a line matching ${pattern}:\n${this.output}`);
    return seen.line;
  }

  /** Ctrl-C to its process group; resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (!this.ended && this.child.pid) process.kill(-this.child.pid, 'SIGINT');
    return this.exited;
  }
}
