// Preload for the server under `npm run bench`: what stalls its event loop.
//   BENCH_NODE_OPTIONS="--import=<absolute path of this file>" npm run bench
// On exit it writes one JSON line to stderr per process: the event loop's delay (p50/p99/max, ms, sampled every
// 1 ms) and V8's GC pauses by kind (count, total, p99, max, ms) over the whole run, so a route's p99 can be set
// against what blocked the loop. Bench only: nothing in the product imports it.
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { constants } from 'node:perf_hooks';

const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();

const KINDS = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental marking',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
};
/** @type {Record<string, number[]>} */
const pauses = {};
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = KINDS[/** @type {{ kind: number }} */ (entry.detail).kind] ?? 'other';
    (pauses[kind] ??= []).push(entry.duration);
  }
}).observe({ entryTypes: ['gc'] });

const ms = (ns) => Math.round(ns / 1e4) / 100;
const round = (value) => Math.round(value * 100) / 100;
process.on('exit', () => {
  const gc = Object.fromEntries(
    Object.entries(pauses).map(([kind, durations]) => {
      durations.sort((a, b) => a - b);
      const total = durations.reduce((sum, d) => sum + d, 0);
      const p99 = durations[Math.floor(durations.length * 0.99)] ?? 0;
      return [kind, { count: durations.length, total: round(total), p99: round(p99), max: round(durations.at(-1)) }];
    }),
  );
  const delay = { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) };
  process.stderr.write(
    `${JSON.stringify({ pid: process.pid, uptime_s: round(process.uptime()), loopDelayMs: delay, gc })}\n`,
  );
});
