/**
 * Where a deploy spends its time, phase by phase, for `--verbose` (Nx sets NX_VERBOSE_LOGGING for the executor's
 * process): a no-op re-run is mostly Nx's start and a few read-only CLI calls, and this line says which.
 */
export class PhaseTimings {
  private readonly phases: [string, number][] = [];
  /** Milliseconds since this process started (performance.now()); injectable for tests. */
  private readonly now: () => number;
  /** When the executor was entered: the time before it is this process's start-up (Nx, module loading). */
  private readonly entered: number;
  constructor(now: () => number = () => performance.now()) {
    this.now = now;
    this.entered = now();
  }

  /** Runs `work` as phase `name`. Phases may overlap: each is measured from its own start, listed in start order. */
  async time<T>(name: string, work: () => Promise<T> | T): Promise<T> {
    const start = this.now();
    const phase: [string, number] = [name, 0];
    this.phases.push(phase);
    try {
      return await work();
    } finally {
      phase[1] = this.now() - start;
    }
  }

  /** `start 0.42s · cluster 0.31s · … │ executor 1.20s`: the process's start-up, each phase, the executor's own total. */
  summary(): string {
    const seconds = (ms: number) => `${(ms / 1000).toFixed(2)}s`;
    const phases = [['start', this.entered] as const, ...this.phases].map(([name, ms]) => `${name} ${seconds(ms)}`);
    return `${phases.join(' · ')} │ executor ${seconds(this.now() - this.entered)}`;
  }
}

/** Whether the run asked for the phase timings: `nx run deploy:minikube --verbose` sets NX_VERBOSE_LOGGING. */
export const timingsWanted = (env: NodeJS.ProcessEnv): boolean => env['NX_VERBOSE_LOGGING'] === 'true';
