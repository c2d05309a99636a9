// What the workspace's tests, benchmarks and CI suites share to run real servers: a free port, and waiting until a
// condition holds or a started server answers. Plain TypeScript with erasable types only, so the node:test suites
// under tools/ and apps/frontend-e2e import it as it is (Node 24 strips the types), and Jest compiles it with the
// rest of a suite.
import { createServer } from 'node:net';

export interface FreePortOptions {
  /** The address to bind (default 127.0.0.1). */
  host?: string;
  /** Pick within [lo, hi] instead of the OS's ephemeral ports (for suites that own a range, e.g. ports Docker publishes). */
  range?: readonly [number, number];
}

/** True when `port` can be bound on `host` right now. */
function bindable(port: number, host: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, host, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * A TCP port that nothing listens on right now: the one the OS hands out for port 0, or a random one of `range`
 * that binds. Free when asked, not reserved: start the server on it soon.
 */
export async function freePort({ host = '127.0.0.1', range }: FreePortOptions = {}): Promise<number> {
  if (!range) {
    const port = await bindable(0, host);
    if (port === undefined) throw new Error(`cannot bind a port on ${host}`);
    return port;
  }
  const [lo, hi] = range;
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await bindable(lo + Math.floor(Math.random() * (hi - lo + 1)), host);
    if (port !== undefined) return port;
  }
  throw new Error(`no free port in ${lo}-${hi} on ${host}`);
}

export interface WaitOptions {
  /** What is awaited, for the error message: "the backend to answer". */
  what: string;
  timeoutMs: number;
  /** Pause between attempts (default 100 ms). */
  intervalMs?: number;
  /** Checked before each attempt: a message ends the wait at once (e.g. the awaited process has exited). */
  failWhen?: () => string | undefined;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Calls `check` until it returns a truthy value, and resolves with that value. A `check` that throws has not
 * succeeded yet; its last error ends the timeout's message.
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  { what, timeoutMs, intervalMs = 100, failWhen }: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const failure = failWhen?.();
    if (failure) throw new Error(`${failure} while waiting for ${what}`);
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${messageOf(lastError)}` : ''}`,
      );
    }
    await pause(intervalMs);
  }
}

/** The part of a ChildProcess that tells whether it is still running. */
export interface Running {
  exitCode: number | null;
  signalCode?: string | null;
}

export interface AnswersOptions extends Partial<Omit<WaitOptions, 'failWhen'>> {
  /** The server's process: its exit ends the wait at once. */
  process?: Running;
  /** The process's output so far, added to the error (its start-up errors are there). */
  output?: () => string;
}

/**
 * Resolves once `url` answers with a 2xx status (each request may take 2 s at most); rejects when `process`
 * exits first or after `timeoutMs` (default 60 s), with `output()` in the message.
 */
export async function waitUntilAnswers(url: string | URL, options: AnswersOptions = {}): Promise<void> {
  const { process: child, output, timeoutMs = 60_000, intervalMs = 100, what = `${url} to answer 2xx` } = options;
  const exited = () =>
    child && (child.exitCode !== null || child.signalCode)
      ? `the server exited (${child.exitCode ?? child.signalCode})`
      : undefined;
  try {
    await waitFor(
      async () => {
        const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
        await response.body?.cancel();
        if (!response.ok) throw new Error(`last answer: ${response.status}`);
        return true;
      },
      { what, timeoutMs, intervalMs, failWhen: exited },
    );
  } catch (error) {
    const log = output?.();
    throw new Error(log ? `${messageOf(error)}; its output:\n${log}` : messageOf(error));
  }
}

export { request, type RequestOptions, type Response } from './request.ts';
export { runCollecting, type Collected } from './run-collecting.ts';
export { SCRIPTED_NX, scriptedNxEnv } from './nx-env.ts';
export { WatchedProcess } from './watched-process.ts';
