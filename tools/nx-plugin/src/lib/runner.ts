import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import * as path from 'node:path';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Collect stdout and stderr instead of streaming them to the terminal. */
  capture?: boolean;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

/** Everything the deploy steps do to the outside world, so tests can replace it. */
export interface Runner {
  /** Runs a command in the workspace root; never throws (a command that cannot start gives code 127). */
  run(command: string, args: string[], options?: RunOptions): Promise<CommandResult>;
  /** Full path of an executable on PATH, or undefined. */
  which(command: string): string | undefined;
  info(message: string): void;
  error(message: string): void;
}

/** Quotes one argument for display in a copy-pasteable shell command line. */
function shellQuote(arg: string): string {
  return /^[\w@%+=:,./{}-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function commandLine(command: string, args: string[]): string {
  return [command, ...args].map(shellQuote).join(' ');
}

function findOnPath(command: string, envPath = process.env['PATH'] ?? ''): string | undefined {
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The real runner: child processes in `cwd`, output on this process's stdout/stderr. */
export function processRunner(cwd: string): Runner {
  return {
    run(command, args, options = {}) {
      return new Promise((resolve) => {
        const child = spawn(command, args, {
          cwd,
          env: { ...process.env, ...options.env },
          stdio: options.capture ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('error', (error) => resolve({ code: 127, stdout, stderr: stderr + error.message }));
        child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
      });
    },
    which: (command) => findOnPath(command),
    info: (message) => process.stdout.write(`${message}\n`),
    error: (message) => process.stderr.write(`${message}\n`),
  };
}
