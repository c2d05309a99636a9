import { PhaseTimings, timingsWanted } from './timings.ts';

describe('PhaseTimings', () => {
  it('names the start-up, each phase (overlapping ones each from its own start) and the executor total', async () => {
    let now = 400;
    const timings = new PhaseTimings(() => now);
    let answer = (): void => undefined;
    const lookup = timings.time('docker', () => new Promise<void>((resolve) => (answer = resolve)));
    await timings.time('cluster', () => {
      now += 300;
    });
    now += 100;
    answer();
    await lookup;
    expect(timings.summary()).toBe('start 0.40s · docker 0.40s · cluster 0.30s │ executor 0.40s');
  });

  it('records a phase that throws', async () => {
    let now = 0;
    const timings = new PhaseTimings(() => now);
    await expect(
      timings.time('helm', () => {
        now += 50;
        throw new Error('no cluster');
      }),
    ).rejects.toThrow('no cluster');
    expect(timings.summary()).toContain('helm 0.05s');
  });

  it('is printed with nx --verbose (NX_VERBOSE_LOGGING) only', () => {
    expect(timingsWanted({ NX_VERBOSE_LOGGING: 'true' })).toBe(true);
    expect(timingsWanted({})).toBe(false);
  });
});
