import { readFileSync } from 'node:fs';

/** Resident set size of a process, in bytes (Linux /proc). */
export function rss(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match?.[1] ? Number(match[1]) * 1024 : 0;
}

/** Runs `work` while sampling `pid`'s RSS every 100 ms; returns its result and the highest sample. */
export async function peakRss<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; peakBytes: number }> {
  let peakBytes = rss(pid);
  const sampler = setInterval(() => (peakBytes = Math.max(peakBytes, rss(pid))), 100);
  try {
    return { result: await work(), peakBytes: Math.max(peakBytes, rss(pid)) };
  } finally {
    clearInterval(sampler);
  }
}
