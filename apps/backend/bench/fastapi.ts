import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const appDir = fileURLToPath(new URL('./fastapi/', import.meta.url));
const requirements = join(appDir, 'requirements.txt');

const MISSING_PYTHON = `The FastAPI reference needs Python 3.10+ with venv and pip. On Debian/Ubuntu:
  sudo apt-get install python3 python3-venv python3-pip
(or set BENCH_PYTHON to another interpreter, or BENCH_FASTAPI=off to bench the backend alone).`;

/**
 * A venv with bench/fastapi/requirements.txt installed, outside the clone so every checkout and run shares it:
 * `$TODO_STACK_CACHE/bench-venv-<hash of requirements.txt>` (built under a temporary name, renamed when complete,
 * so an interrupted install is never reused). Returns its python.
 */
export async function fastapiVenv(): Promise<string> {
  const cache = process.env['TODO_STACK_CACHE'] || join(homedir(), '.cache', 'todo-stack');
  const hash = createHash('sha256').update(readFileSync(requirements)).digest('hex').slice(0, 12);
  const venv = join(cache, `bench-venv-${hash}`);
  const python = join(venv, 'bin', 'python');
  if (existsSync(python)) return python;

  const interpreter = process.env['BENCH_PYTHON'] ?? 'python3';
  const partial = `${venv}.partial-${process.pid}`;
  console.log(`Installing the FastAPI reference into ${venv} (once per requirements.txt)…`);
  try {
    await run(interpreter, ['-m', 'venv', partial]);
    await run(join(partial, 'bin', 'python'), ['-m', 'pip', 'install', '--quiet', '-r', requirements], {
      maxBuffer: 16 * 2 ** 20,
    });
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    const { code, stderr } = error as { code?: string; stderr?: string };
    // No interpreter, or Debian's python3 without its venv/ensurepip module.
    if (code === 'ENOENT' || /ensurepip|No module named (venv|pip)/.test(stderr ?? '')) {
      throw new Error(MISSING_PYTHON, { cause: error });
    }
    throw new Error(`Installing ${requirements} failed:\n${stderr ?? String(error)}`, { cause: error });
  }
  renameSync(partial, venv);
  return python;
}

/**
 * One uvicorn worker serving bench/fastapi/app.py on `port`, its access log on (as the backend logs at info).
 * Its log is shown only if it fails.
 */
export function startFastapi(
  python: string,
  port: number,
  env: { DATABASE_URL: string; BETTER_AUTH_SECRET: string },
): ChildProcess {
  const args = ['-m', 'uvicorn', 'app:app', '--app-dir', appDir, '--host', '127.0.0.1', '--port', String(port)];
  const child = spawn(python, [...args, '--workers', '1'], {
    // SQLAlchemy's default driver for postgresql:// URLs is psycopg 3 (pinned in requirements.txt).
    env: {
      PATH: process.env['PATH'] ?? '',
      ...env,
      DATABASE_URL: env.DATABASE_URL.replace(/^postgres:/, 'postgresql:'),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (log = (log + chunk).slice(-8192)));
  child.once('exit', (code) => code && console.error(`The FastAPI reference exited with ${code}:\n${log}`));
  return child;
}
