import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A long-running child process (kubectl logs -f, kubectl port-forward). */
export interface Supervised {
  /** Ends the process; `exited` then resolves. */
  stop(): void;
  /** Resolves with the exit code (or 128 + signal) when the process ends, for whatever reason. */
  exited: Promise<number>;
}

/** Starts `command` in the background and hands over each line of its stdout and stderr. */
export type Spawn = (command: string, args: string[], onLine: (line: string) => void) => Supervised;

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/** The real Spawn: child processes in `cwd`. */
export function processSpawner(cwd: string): Spawn {
  return (command, args, onLine) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on('line', onLine);
    const exited = new Promise<number>((resolve) => {
      child.on('error', (error) => {
        onLine(error.message);
        resolve(127);
      });
      child.on('close', (code, signal) => resolve(code ?? 128 + (signal ? (SIGNALS[signal] ?? 0) : 0)));
    });
    return {
      stop: () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      },
      exited,
    };
  };
}
