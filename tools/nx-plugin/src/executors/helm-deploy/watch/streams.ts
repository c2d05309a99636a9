import type { Runner } from '../../../lib/runner.ts';
import type { Spawn, Supervised } from './processes.ts';

/** `--context X --namespace Y` of the release, for kubectl. */
export type KubectlWhere = string[];

/** Pods of one app of the release, by the chart's selector labels. */
const appSelector = (release: string, app: string) =>
  `app.kubernetes.io/instance=${release},app.kubernetes.io/component=${app}`;

/**
 * `kubectl logs -f` of each app's pods, every line prefixed by the app. `kubectl logs -f -l` follows the pods that
 * exist when it starts, so an app's stream is restarted after its Deployment rolled (then it follows the new pods).
 */
export class LogStreams {
  private readonly streams = new Map<string, Supervised>();
  private readonly spawn: Spawn;
  private readonly runner: Runner;
  private readonly where: KubectlWhere;
  private readonly release: string;

  constructor(spawn: Spawn, runner: Runner, where: KubectlWhere, release: string) {
    this.spawn = spawn;
    this.runner = runner;
    this.where = where;
    this.release = release;
  }

  follow(app: string): void {
    this.streams.get(app)?.stop();
    const args = [
      ...this.where,
      'logs',
      '--follow',
      '--selector',
      appSelector(this.release, app),
      '--all-containers',
      '--max-log-requests=10',
      '--tail=10',
      '--ignore-errors',
    ];
    this.streams.set(
      app,
      this.spawn('kubectl', args, (line) => this.runner.info(`${app.padEnd(8)} │ ${line}`)),
    );
  }

  async stop(): Promise<void> {
    const streams = [...this.streams.values()];
    this.streams.clear();
    for (const stream of streams) stream.stop();
    await Promise.all(streams.map((stream) => stream.exited));
  }
}

const PORT_FORWARD_RETRY_MS = { first: 500, max: 10_000 };

/**
 * `kubectl port-forward svc/<frontend> <port>:<service port>`, kept open: kubectl forwards to one pod of the
 * Service and exits when that pod goes away (every frontend rollout), so it is started again, after a growing
 * pause while it keeps failing (port in use, no Ready pod yet).
 */
export class PortForward {
  private current: Supervised | undefined;
  private stopped = false;
  private retryMs = PORT_FORWARD_RETRY_MS.first;
  private retry: ReturnType<typeof setTimeout> | undefined;
  /** How many times kubectl was started. */
  starts = 0;

  private readonly spawn: Spawn;
  private readonly runner: Runner;
  private readonly where: KubectlWhere;
  private readonly service: string;
  private readonly servicePort: number;
  private readonly localPort: number;

  constructor(
    spawn: Spawn,
    runner: Runner,
    where: KubectlWhere,
    service: string,
    servicePort: number,
    localPort: number,
  ) {
    this.spawn = spawn;
    this.runner = runner;
    this.where = where;
    this.service = service;
    this.servicePort = servicePort;
    this.localPort = localPort;
  }

  start(): void {
    if (this.stopped) return;
    const args = [
      ...this.where,
      'port-forward',
      `svc/${this.service}`,
      `${this.localPort}:${this.servicePort}`,
      '--address',
      '127.0.0.1',
    ];
    let last = '';
    this.starts += 1;
    const first = this.starts === 1;
    const child = this.spawn('kubectl', args, (line) => {
      last = line;
      // kubectl says "Forwarding from 127.0.0.1:8080 -> 3000" once it listens.
      if (!line.startsWith('Forwarding from')) return;
      this.retryMs = PORT_FORWARD_RETRY_MS.first;
      if (first) this.runner.info(`⇄ http://localhost:${this.localPort}/ → svc/${this.service}:${this.servicePort}`);
    });
    this.current = child;
    void child.exited.then((code) => {
      if (this.stopped || this.current !== child) return;
      this.runner.error(
        `⚠ port-forward to svc/${this.service} ended (exit code ${code}${last ? `: ${last}` : ''}); restarting`,
      );
      this.retry = setTimeout(() => this.start(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, PORT_FORWARD_RETRY_MS.max);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.current?.stop();
    await this.current?.exited;
  }
}
