import * as path from 'node:path';
import { stringify } from 'yaml';
import { deployTo, type DeployResult } from '../deploy.ts';
import runExecutor from '../executor.ts';
import { normalizeOptions, type NormalizedOptions } from '../options.ts';
import { FakeRelease, FakeRunner, type Handler } from '../testing/fake-runner.ts';
import { FakeSpawn, until } from '../testing/fake-spawn.ts';
import { migrationsFixture } from '../testing/fake-migrations.ts';
import { FakeImages, GRAPH } from '../testing/fake-workspace.ts';
import { Debouncer } from './debounce.ts';
import type { WatchFiles } from './file-watcher.ts';
import { watch } from './watch.ts';

const workspaceRoot = path.resolve(__dirname, '../../../../../..');
const MIGRATIONS = migrationsFixture();

/** The release's frontend Service, which the port-forward targets. */
const MANIFEST = stringify({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'todo-stack-frontend', labels: { 'app.kubernetes.io/component': 'frontend' } },
  spec: { ports: [{ name: 'http', port: 3000 }] },
});

/** Keeps stdout and stderr lines in one list, in the order they were printed. */
class RecordingRunner extends FakeRunner {
  lines: string[] = [];
  override info(message: string) {
    super.info(message);
    this.lines.push(message);
  }
  override error(message: string) {
    super.error(message);
    this.lines.push(message);
  }
}

/** A deployed release and a running watch() on fakes; `edit` plays a batch of saves, `stop` is Ctrl-C. */
async function watching(options: Partial<NormalizedOptions> = {}, firstDeployFails = false) {
  const o = {
    ...normalizeOptions({ helmTest: false, migrationsDir: MIGRATIONS }, { MINIKUBE_PROFILE: 'todo-stack' }),
    debounce: 0,
    ...options,
  };
  const workspace = new FakeImages();
  const release = new FakeRelease();
  const handlers: Record<string, Handler> = {
    ...workspace.handlers(),
    ...release.handlers(),
    'helm get manifest': () => ({ stdout: MANIFEST }),
  };
  const runner = new RecordingRunner(handlers);
  // The first helm upgrade fails (a crashing pod, say) when asked to.
  if (firstDeployFails)
    handlers['helm upgrade'] = () => ({ code: 1, stderr: 'Error: UPGRADE FAILED: context deadline exceeded' });
  const first = await deployTo(o, runner, workspace.workspace());
  if (firstDeployFails) handlers['helm upgrade'] = release.handlers()['helm upgrade'];
  const spawn = new FakeSpawn();
  let onFiles: ((files: string[]) => void) | undefined;
  let watcherClosed = false;
  const watchFiles: WatchFiles = async (_root, callback) => {
    onFiles = callback;
    return { close: async () => void (watcherClosed = true) };
  };
  const stop = new AbortController();
  const done = watch(o, workspace.workspace(), first as Required<DeployResult>, {
    runner,
    spawn: spawn.spawn,
    watchFiles,
    graph: async () => GRAPH,
    now: () => 0,
    signal: stop.signal,
  });
  await until(() => !!onFiles, 'the file watcher');
  const loops = () => runner.lines.filter((line) => /^[↻✖] changed/.test(line));
  return {
    workspace,
    runner,
    spawn,
    release,
    loops,
    watcherClosed: () => watcherClosed,
    /** Saves `files` without waiting. */
    save: (...files: string[]) => onFiles?.(files),
    /** Saves `files` and waits for the line of the loop they start. */
    async edit(...files: string[]) {
      const before = loops().length;
      onFiles?.(files);
      await until(() => loops().length > before, `the loop line after saving ${files.join(', ')}`);
      return loops()[before];
    },
    async stop() {
      stop.abort();
      return done;
    },
  };
}

describe('watch', () => {
  it('streams both apps logs and forwards the frontend port; an edit rolls its app and follows its new pods', async () => {
    const w = await watching();
    expect(w.spawn.matching('logs --follow').map((p) => p.line)).toEqual([
      expect.stringContaining('--selector app.kubernetes.io/instance=todo-stack,app.kubernetes.io/component=backend'),
      expect.stringContaining('app.kubernetes.io/component=frontend'),
    ]);
    const [forward] = w.spawn.matching('port-forward');
    expect(forward.line).toBe(
      'kubectl --context todo-stack --namespace todo port-forward svc/todo-stack-frontend 8080:3000 --address 127.0.0.1',
    );
    w.spawn.matching('component=backend')[0].say('{"level":30,"msg":"Server listening"}');
    expect(w.runner.out).toContain('backend  │ {"level":30,"msg":"Server listening"}');

    w.workspace.sources.backend = 'nx-112';
    expect(await w.edit('apps/backend/src/main.ts')).toMatch(
      /^↻ changed apps\/backend\/src\/main.ts │ rebuilt backend │ rolled backend │ graph .* build .* load .* roll /,
    );
    const backendLogs = w.spawn.matching('component=backend');
    expect(backendLogs).toHaveLength(2);
    expect(backendLogs[0].stopped).toBe(true);
    expect(w.spawn.matching('component=frontend')).toHaveLength(1);
    await w.stop();
  });

  it('a no-op save rebuilds and rolls nothing', async () => {
    const w = await watching();
    expect(await w.edit('apps/backend/src/app/app.spec.ts')).toMatch(/same image tags \(Nx cache\), nothing rolled/);
    expect(await w.edit('apps/backend-e2e/src/tasks.test.ts')).toMatch(
      /nothing to deploy: no app image input, not the release; nothing rebuilt, nothing rolled/,
    );
    expect(w.release.revision).toBe(1);
    expect(w.spawn.matching('logs --follow')).toHaveLength(2);
    await w.stop();
  });

  it('a burst of saves during a loop becomes one more loop', async () => {
    const w = await watching();
    w.workspace.sources.backend = 'nx-112';
    // Saved while the first loop builds: one more loop for both files, after it.
    w.workspace.duringBuild = () => {
      w.workspace.sources.frontend = 'nx-223';
      w.save('apps/frontend/src/app/page.tsx');
      w.save('apps/frontend/src/app/layout.tsx');
    };
    expect(await w.edit('apps/backend/src/main.ts')).toMatch(/rebuilt backend │ rolled backend/);
    await until(() => w.loops().length === 2, 'two loop lines');
    expect(w.loops()[1]).toMatch(/changed apps\/frontend\/src\/app\/layout.tsx \+1 more │ rebuilt frontend/);
    expect(w.workspace.builds).toEqual([['backend'], ['frontend']]);
    await w.stop();
  });

  it('a build error prints its reason and keeps watching', async () => {
    const w = await watching();
    w.workspace.buildError = 'error TS1005: ";" expected.';
    w.workspace.sources.backend = 'nx-115';
    expect(await w.edit('apps/backend/src/main.ts')).toMatch(/^✖ .*the backend image build failed.*still watching/);
    expect(w.runner.err.join('\n')).toContain('error TS1005');
    w.workspace.buildError = undefined;
    expect(await w.edit('apps/backend/src/main.ts')).toMatch(/rolled backend/);
    await w.stop();
  });

  it('a failed first deploy: says so and watches anyway; the fix rolls', async () => {
    const w = await watching({}, true);
    expect(w.runner.err.join('\n')).toMatch(
      /✖ deploy: helm upgrade failed[\s\S]*the deploy failed \(the reason is above\); watching anyway/,
    );
    w.workspace.sources.backend = 'nx-116';
    expect(await w.edit('apps/backend/src/main.ts')).toMatch(/rolled backend/);
    expect(w.release.revision).toBe(1);
    await w.stop();
  });

  it('restarts the port-forward when kubectl exits (its pod went away in a rollout)', async () => {
    const w = await watching();
    w.spawn.matching('port-forward')[0].exit(1);
    await until(() => w.spawn.matching('port-forward').length === 2, 'a second port-forward');
    expect(w.runner.err.join('\n')).toMatch(
      /port-forward to svc\/todo-stack-frontend ended \(exit code 1\); restarting/,
    );
    await w.stop();
  });

  it('stops on the signal: watcher closed, logs and port-forward ended, the release left running', async () => {
    const w = await watching();
    await expect(w.stop()).resolves.toBe(true);
    expect(w.watcherClosed()).toBe(true);
    expect(w.spawn.running).toEqual([]);
    expect(w.runner.calls.filter((call) => call.startsWith('helm uninstall'))).toEqual([]);
    expect(w.runner.out.at(-1)).toMatch(/stopped watching; release todo-stack keeps running/);
  });

  it('--cleanup uninstalls the release on stop', async () => {
    const w = await watching({ cleanup: true });
    await expect(w.stop()).resolves.toBe(true);
    expect(w.runner.calls.filter((call) => call.startsWith('helm uninstall'))).toEqual([
      'helm uninstall todo-stack --namespace todo --kube-context todo-stack --wait',
    ]);
  });

  it('--port=0: no port-forward', async () => {
    const w = await watching({ port: 0 });
    expect(w.spawn.matching('port-forward')).toEqual([]);
    await w.stop();
  });
});

describe('Debouncer', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('hands over a burst of saves once, after the quiet period', () => {
    const batches: string[][] = [];
    const debouncer = new Debouncer(300, (files) => batches.push(files));
    debouncer.add(['b.ts']);
    jest.advanceTimersByTime(200);
    debouncer.add(['a.ts', 'b.ts']);
    jest.advanceTimersByTime(299);
    expect(batches).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(batches).toEqual([['a.ts', 'b.ts']]);
    debouncer.add(['c.ts']);
    debouncer.cancel();
    jest.advanceTimersByTime(1000);
    expect(batches).toHaveLength(1);
  });
});

describe('the executor with --watch', () => {
  it('refuses --dry-run (a dry run deploys nothing to watch)', async () => {
    const runner = new FakeRunner();
    await expect(runExecutor({ watch: true, dryRun: true }, { root: workspaceRoot }, runner)).resolves.toEqual({
      success: false,
    });
    expect(runner.err.join('\n')).toMatch(/--watch .* cannot be combined with --dry-run/);
    expect(runner.calls).toEqual([]);
  });
});
