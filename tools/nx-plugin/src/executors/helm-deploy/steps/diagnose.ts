import { kubectlTarget, type StepContext, type Target } from '../context.ts';

/** The parts of a Pod (`kubectl get pods -o json`) the diagnosis reads. */
interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { reason?: string; message?: string; exitCode?: number };
}
interface ContainerStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
}
interface Pod {
  metadata: { name: string };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    initContainerStatuses?: ContainerStatus[];
    containerStatuses?: ContainerStatus[];
  };
}
interface KubeEvent {
  involvedObject?: { kind?: string; name?: string };
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  firstTimestamp?: string | null;
  metadata?: { creationTimestamp?: string };
}

export interface PodProblem {
  pod: string;
  phase: string;
  /** e.g. "backend: CrashLoopBackOff (exit code 1, last terminated: Error)" or "Unschedulable: 0/1 nodes …". */
  reasons: string[];
  /** The container whose logs explain it, and whether they are the previous instance's. */
  logs?: { container: string; previous: boolean };
}

const describeState = (state: ContainerState | undefined): string | undefined => {
  if (state?.waiting?.reason)
    return `${state.waiting.reason}${state.waiting.message ? `: ${state.waiting.message}` : ''}`;
  if (state?.terminated)
    return `terminated ${state.terminated.reason ?? ''} (exit code ${state.terminated.exitCode ?? '?'})${state.terminated.message ? `: ${state.terminated.message}` : ''}`;
  return undefined;
};

/** Why a container is not ready; undefined when it is. */
function containerProblem(status: ContainerStatus): string | undefined {
  if (status.ready) return undefined;
  const now =
    describeState(status.state) ?? (status.state?.running ? 'running, not ready (readiness probe)' : undefined);
  const last = status.lastState?.terminated ? describeState(status.lastState) : undefined;
  const restarts = status.restartCount ? `, ${status.restartCount} restarts` : '';
  return `${status.name}: ${now ?? 'not started'}${restarts}${last ? `; last: ${last}` : ''}`;
}

/** Whether a container ran at all: then its logs (of the previous instance when it restarted) say why it failed. */
function logSource(status: ContainerStatus): { container: string; previous: boolean } | undefined {
  if (status.ready) return undefined;
  if (status.lastState?.terminated) return { container: status.name, previous: true };
  if (status.state?.terminated || status.state?.running) return { container: status.name, previous: false };
  return undefined;
}

/** The pods that are not Ready (finished pods of completed Jobs are fine) and why, from `kubectl get pods -o json`. */
export function podProblems(podsJson: string): PodProblem[] {
  const pods = (JSON.parse(podsJson) as { items?: Pod[] }).items ?? [];
  const problems: PodProblem[] = [];
  for (const pod of pods) {
    const status = pod.status ?? {};
    const phase = status.phase ?? 'Unknown';
    if (phase === 'Succeeded') continue;
    if (status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) continue;
    const containers = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])];
    const reasons = containers.map(containerProblem).filter((r): r is string => !!r);
    const unscheduled = status.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
    if (unscheduled) reasons.push(`${unscheduled.reason ?? 'not scheduled'}: ${unscheduled.message ?? ''}`.trim());
    if (status.reason) reasons.push(`${status.reason}${status.message ? `: ${status.message}` : ''}`);
    if (!reasons.length) reasons.push('not Ready');
    problems.push({
      pod: pod.metadata.name,
      phase,
      reasons,
      logs: containers.map(logSource).find((source) => !!source),
    });
  }
  return problems;
}

const eventTime = (e: KubeEvent) =>
  e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp ?? '';

/** The last `count` events of each pod, oldest first, as "Warning Failed: message (×3)". */
export function podEvents(eventsJson: string, count = 5): Map<string, string[]> {
  const events = ((JSON.parse(eventsJson) as { items?: KubeEvent[] }).items ?? [])
    .filter((e) => e.involvedObject?.kind === 'Pod' && e.involvedObject.name)
    .sort((a, b) => eventTime(a).localeCompare(eventTime(b)));
  const byPod = new Map<string, string[]>();
  for (const e of events) {
    const name = e.involvedObject?.name as string;
    const line = `${e.type ?? ''} ${e.reason ?? ''}: ${e.message ?? ''}${(e.count ?? 1) > 1 ? ` (×${e.count})` : ''}`;
    byPod.set(name, [...(byPod.get(name) ?? []), line.trim()]);
  }
  for (const [name, lines] of byPod) byPod.set(name, lines.slice(-count));
  return byPod;
}

const LOG_LINES = 20;

/**
 * The last log lines of the container that explains a pod. The pod's status is a snapshot: by the time kubectl
 * asks, a container seen terminated may have restarted (its current instance is then a new one that has printed
 * nothing yet), or a previous instance may be gone. So when the chosen instance has no output or cannot be read,
 * the other one is tried; when neither has anything, kubectl's own messages are printed. A container whose log file
 * the kubelet already removed still answers with exit 0: its body is the kubelet's one-line "unable to retrieve
 * container logs for <id>", which counts as unreadable.
 */
const LOGS_GONE = /^unable to retrieve container logs for \S+$/;

async function containerLogs(
  ctx: StepContext,
  where: string[],
  pod: string,
  source: { container: string; previous: boolean },
): Promise<{ container: string; previous: boolean; text: string }> {
  const read = async (previous: boolean) => {
    const args = [...where, 'logs', pod, '-c', source.container, `--tail=${LOG_LINES}`];
    const result = await ctx.read('kubectl', previous ? [...args, '--previous'] : args);
    const text = (result.code === 0 ? result.stdout : result.stderr).trimEnd();
    return { previous, ok: result.code === 0 && !LOGS_GONE.test(text.trim()), text };
  };
  const first = await read(source.previous);
  if (first.ok && first.text) return { container: source.container, previous: first.previous, text: first.text };
  const second = await read(!source.previous);
  if (second.ok && second.text) return { container: source.container, previous: second.previous, text: second.text };
  const errors = [first, second].filter((r) => !r.ok && r.text).map((r) => r.text);
  return { container: source.container, previous: first.previous, text: errors.join('\n') || '(no output)' };
}

/**
 * Step "diagnose" (after a failed or timed-out `helm upgrade --wait`): for each pod of the release that is not
 * Ready, its phase and reasons, its last events and the last log lines of the failing container.
 */
export async function diagnose(ctx: StepContext, target: Target): Promise<PodProblem[]> {
  const where = kubectlTarget(ctx, target);
  ctx.step('diagnosis: pods that are not Ready');
  const pods = await ctx.read('kubectl', [
    ...where,
    'get',
    'pods',
    '-l',
    `app.kubernetes.io/instance=${ctx.o.release}`,
    '-o',
    'json',
  ]);
  let problems: PodProblem[];
  try {
    if (pods.code !== 0) throw new Error(pods.stderr.trim());
    problems = podProblems(pods.stdout);
  } catch (error) {
    ctx.runner.error(`  cannot list the release's pods: ${(error as Error).message}`);
    return [];
  }
  if (!problems.length) {
    ctx.runner.error('  every pod of the release is Ready: the failure is in helm itself (its message is above).');
    return problems;
  }
  const eventsResult = await ctx.read('kubectl', [...where, 'get', 'events', '-o', 'json']);
  let events = new Map<string, string[]>();
  try {
    if (eventsResult.code === 0) events = podEvents(eventsResult.stdout);
  } catch {
    // no events is still a useful diagnosis
  }
  for (const problem of problems) {
    const print = (line: string) => ctx.runner.error(line);
    print(`\n  ✖ pod ${problem.pod}: ${problem.phase}`);
    for (const reason of problem.reasons) print(`      ${reason}`);
    const podEventLines = events.get(problem.pod) ?? [];
    if (podEventLines.length) {
      print('    events:');
      for (const line of podEventLines) print(`      ${line}`);
    }
    if (!problem.logs) continue;
    const { container, previous, text } = await containerLogs(ctx, where, problem.pod, problem.logs);
    print(`    last ${LOG_LINES} log lines of ${container}${previous ? ' (previous instance)' : ''}:`);
    for (const line of text.split('\n').slice(-LOG_LINES)) print(`      | ${line}`);
  }
  return problems;
}
