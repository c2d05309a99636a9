import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { stepContext } from '../context.ts';
import { DEFAULTS, normalizeOptions } from '../options.ts';
import { FakeRunner } from '../testing/fake-runner.ts';
import { diagnose, podEvents, podProblems } from './diagnose.ts';

const fixture = (name: string) => readFileSync(path.join(__dirname, '__fixtures__', name), 'utf8');
const PODS = fixture('pods.json');
const EVENTS = fixture('events.json');

describe('podProblems', () => {
  const problems = podProblems(PODS);
  const of = (pod: string) => problems.find((p) => p.pod === pod);

  it('skips Ready pods and finished hook pods', () => {
    expect(problems.map((p) => p.pod)).not.toContain('todo-stack-postgresql-0');
    expect(problems.map((p) => p.pod)).not.toContain('todo-stack-migrate-4-7hx2p');
    expect(problems).toHaveLength(5);
  });

  it.each([
    [
      'todo-stack-backend-7d9c8b6f5-x2k9q',
      'Pending',
      /^backend: ErrImageNeverPull: Container image "todo-backend:does-not-exist" is not present/,
    ],
    [
      'todo-stack-frontend-5b7f9d4c8-m4p7r',
      'Pending',
      /^frontend: ImagePullBackOff: Back-off pulling image "todo-frontend:nx-404"/,
    ],
    [
      'todo-stack-backend-6c5d7f8b9-q8w2e',
      'Running',
      /^backend: CrashLoopBackOff: .*, 3 restarts; last: terminated Error \(exit code 1\)$/,
    ],
    [
      'todo-stack-backend-6c5d7f8b9-z1n5t',
      'Pending',
      /^backend: CreateContainerConfigError: secret "todo-external-db" not found$/,
    ],
    [
      'todo-stack-frontend-5b7f9d4c8-h6j3k',
      'Pending',
      /^Unschedulable: 0\/1 nodes are available: 1 Insufficient memory/,
    ],
  ])('%s: %s, %s', (pod, phase, reason) => {
    expect(of(pod)?.phase).toBe(phase);
    expect(of(pod)?.reasons[0]).toMatch(reason);
  });

  it('reads the logs of the previous instance of a restarted container, none of a container that never ran', () => {
    expect(of('todo-stack-backend-6c5d7f8b9-q8w2e')?.logs).toEqual({ container: 'backend', previous: true });
    expect(of('todo-stack-backend-7d9c8b6f5-x2k9q')?.logs).toBeUndefined();
    expect(of('todo-stack-frontend-5b7f9d4c8-h6j3k')?.logs).toBeUndefined();
  });
});

describe('podEvents', () => {
  it("keeps each pod's last events in time order, with their counts, and no events of other kinds", () => {
    const events = podEvents(EVENTS, 2);
    expect(events.get('todo-stack-backend-7d9c8b6f5-x2k9q')).toEqual([
      'Warning ErrImageNeverPull: Container image "todo-backend:does-not-exist" is not present with pull policy of Never (×7)',
      'Warning Failed: Error: ErrImageNeverPull (×7)',
    ]);
    expect(events.has('todo-stack-backend')).toBe(false);
  });
});

describe('diagnose step', () => {
  const o = normalizeOptions({ ...DEFAULTS, kubeContext: 'ci' }, { MINIKUBE_PROFILE: 'todo-stack' });
  const target = { context: 'ci', minikube: false };
  const crashLog = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n');

  it('prints phase, reason, events and the last log lines of each pod that is not Ready', async () => {
    const runner = new FakeRunner({
      'kubectl --context ci --namespace todo get pods -l app.kubernetes.io/instance=todo-stack -o json': () => ({
        stdout: PODS,
      }),
      'kubectl --context ci --namespace todo get events -o json': () => ({ stdout: EVENTS }),
      'kubectl --context ci --namespace todo logs todo-stack-backend-6c5d7f8b9-q8w2e': () => ({
        stdout: `${crashLog}\n`,
      }),
    });
    await diagnose(
      stepContext(o, runner, { root: '/', project: 'deploy', apps: ['backend'], imageCacheDir: '/' }),
      target,
    );
    const printed = runner.err.join('\n');
    expect(runner.calls).toContain(
      'kubectl --context ci --namespace todo logs todo-stack-backend-6c5d7f8b9-q8w2e -c backend --tail=20 --previous',
    );
    expect(printed).toContain('✖ pod todo-stack-backend-6c5d7f8b9-q8w2e: Running');
    expect(printed).toContain('Warning BackOff: Back-off restarting failed container backend');
    expect(printed).toContain('last 20 log lines of backend (previous instance):');
    expect(printed).toContain('| line 30');
    expect(printed).toContain('| line 11');
    expect(printed).not.toContain('| line 10\n');
    expect(printed).toContain('✖ pod todo-stack-frontend-5b7f9d4c8-h6j3k: Pending');
    expect(printed).toContain('Warning FailedScheduling: 0/1 nodes are available: 1 Insufficient memory');
  });

  const LOGS = 'kubectl --context ci --namespace todo logs todo-stack-backend-6c5d7f8b9-q8w2e -c backend --tail=20';
  const crashing = (logs: ConstructorParameters<typeof FakeRunner>[0]) =>
    new FakeRunner({
      'kubectl --context ci --namespace todo get pods -l app.kubernetes.io/instance=todo-stack -o json': () => ({
        stdout: PODS,
      }),
      ...logs,
    });

  // The status said "restarted", but the previous instance cannot explain it: the current one does.
  it.each([
    ['kubectl cannot find it', { code: 1, stderr: 'previous terminated container "backend" not found' }],
    // kubectl exits 0 and prints the kubelet's message as if it were the container's output.
    [
      'the kubelet answers that its log is gone',
      { stdout: 'unable to retrieve container logs for containerd://af3c55f86d04\n' },
    ],
    ['it printed nothing', { stdout: '' }],
  ])('reads the other instance when %s', async (_why, previousAnswer) => {
    const runner = crashing({
      [`${LOGS} --previous`]: () => previousAnswer,
      [LOGS]: () => ({ stdout: 'FRONTEND_ORIGIN: "x" is not an origin\n' }),
    });
    await diagnose(
      stepContext(o, runner, { root: '/', project: 'deploy', apps: ['backend'], imageCacheDir: '/' }),
      target,
    );
    const printed = runner.err.join('\n');
    expect(printed).toContain('last 20 log lines of backend:\n      | FRONTEND_ORIGIN: "x" is not an origin');
    expect(printed).not.toContain('previous terminated container');
    expect(printed).not.toContain('unable to retrieve');
  });

  it("prints kubectl's messages when no instance can be read", async () => {
    const runner = crashing({
      [`${LOGS} --previous`]: () => ({ code: 1, stderr: 'previous terminated container "backend" not found' }),
      [LOGS]: () => ({ code: 1, stderr: 'container "backend" is waiting to start: CrashLoopBackOff' }),
    });
    await diagnose(
      stepContext(o, runner, { root: '/', project: 'deploy', apps: ['backend'], imageCacheDir: '/' }),
      target,
    );
    const printed = runner.err.join('\n');
    expect(printed).toContain('| previous terminated container "backend" not found');
    expect(printed).toContain('| container "backend" is waiting to start: CrashLoopBackOff');
  });

  it('says so when it cannot list the pods', async () => {
    const runner = new FakeRunner({
      'kubectl --context ci --namespace todo get pods': () => ({ code: 1, stderr: 'connection refused' }),
    });
    await expect(
      diagnose(stepContext(o, runner, { root: '/', project: 'deploy', apps: ['backend'], imageCacheDir: '/' }), target),
    ).resolves.toEqual([]);
    expect(runner.err.join('\n')).toContain("cannot list the release's pods: connection refused");
  });
});
