import type { Spawn } from '../watch/processes.ts';

export interface FakeProcess {
  /** "kubectl --context … logs --follow …" */
  line: string;
  say(line: string): void;
  /** Ends the process as if it died by itself. */
  exit(code: number): void;
  stopped: boolean;
  done: boolean;
}

/** A Spawn that records the background processes and lets a test make them print or die. */
export class FakeSpawn {
  processes: FakeProcess[] = [];

  spawn: Spawn = (command, args, onLine) => {
    let finish: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (finish = resolve));
    const process: FakeProcess = {
      line: [command, ...args].join(' '),
      say: onLine,
      exit: (code) => {
        process.done = true;
        finish(code);
      },
      stopped: false,
      done: false,
    };
    this.processes.push(process);
    return {
      stop: () => {
        process.stopped = true;
        process.exit(143);
      },
      exited,
    };
  };

  matching(part: string): FakeProcess[] {
    return this.processes.filter((p) => p.line.includes(part));
  }

  /** The processes still running. */
  get running(): FakeProcess[] {
    return this.processes.filter((p) => !p.done);
  }
}

/** Waits until `check()` holds (checked after each turn of the event loop), failing after `ms`. */
export async function until(check: () => boolean, what: string, ms = 4000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
