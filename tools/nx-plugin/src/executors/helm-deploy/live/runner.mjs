// Live update's process, for an app with a live entry (the deploy executor writes this file beside the app's live
// bundle; the chart runs it with liveUpdate.enabled). It serves the app of live.js, and each time the bundle's last
// write (restart/generation) changes it serves the new build, imported under a URL of its own, beside the current one
// (the entry listens with SO_REUSEPORT), then closes the current one (in-flight requests finish). The port never
// closes, so a Service or a `kubectl port-forward` (which quits on a refused connection) sees no gap, and a build
// that fails to serve leaves the current one serving. The process and the packages it loaded stay: only the app's
// code runs again, which takes a fraction of a process start. SIGTERM or SIGINT closes the app and exits.
import { watch } from 'node:fs';

const here = new URL('./', import.meta.url);
const log = (level, msg, fields = {}) =>
  console.log(JSON.stringify({ level, time: Date.now(), pid: process.pid, msg, ...fields }));

let generation = 0;
/** @type {{ close(): Promise<void> } | undefined} */
let app;
let running = Promise.resolve();
let pending = false;

async function reload() {
  pending = false;
  const started = performance.now();
  generation += 1;
  const { serve } = await import(new URL(`live.js?generation=${generation}`, here).href);
  const next = await serve();
  const current = app;
  app = next;
  log(30, 'live update: serving the new build', { generation, ms: Math.round(performance.now() - started) });
  // While the new build started, the event loop was busy and connections queued on the current listener too: let it
  // accept them (they finish on the current build) before closing it, which would reset any still queued.
  await new Promise((resolve) => setTimeout(resolve, DRAIN_MS));
  await current?.close();
}

/** How long the current build's listener goes on accepting once the new one listens (one turn of the event loop would do). */
const DRAIN_MS = 50;

/** How long the events of one write (truncate, then write) take to arrive: they make one reload. */
const SETTLE_MS = 25;

/** One reload at a time, once the events of a write settled. */
function schedule() {
  if (pending) return;
  pending = true;
  setTimeout(() => {
    running = running.then(reload).catch((err) =>
      log(50, 'live update: the build does not serve; the current one goes on, waiting for the next one', {
        err: String(err?.stack ?? err),
      }),
    );
  }, SETTLE_MS);
}

async function stop(signal) {
  log(30, 'shutting down: finishing in-flight requests', { signal });
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  await running;
  await app?.close();
  log(30, 'shutdown complete');
  process.exit(0);
}

schedule();
watch(new URL('restart/', here), schedule);
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
