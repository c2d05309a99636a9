// Live update's process, for an app with a live entry (the deploy executor writes this file beside the app's live
// bundle; the chart runs it with liveUpdate.enabled). It serves the app of live.js, and each time the bundle's last
// write (restart/generation) changes it closes the app (in-flight requests finish) and serves the new build, imported
// under a URL of its own. The process and the packages it loaded stay: only the app's code runs again, which takes a
// fraction of a process start. SIGTERM or SIGINT closes the app and exits.
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
  await app?.close();
  app = undefined;
  const { serve } = await import(new URL(`live.js?generation=${generation}`, here).href);
  app = await serve();
  log(30, 'live update: serving the new build', { generation, ms: Math.round(performance.now() - started) });
}

/** How long the events of one write (truncate, then write) take to arrive: they make one reload. */
const SETTLE_MS = 25;

/** One reload at a time, once the events of a write settled. */
function schedule() {
  if (pending) return;
  pending = true;
  setTimeout(() => {
    running = running
      .then(reload)
      .catch((err) =>
        log(50, 'live update: the build does not serve; waiting for the next one', { err: String(err?.stack ?? err) }),
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
