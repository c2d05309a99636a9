import type { ProjectGraph } from '@nx/devkit';
import { normalizeOptions } from '../options.ts';
import { chartValues, helmValues } from '../values.ts';
import { summaryLine } from '../watch/summary.ts';
import type { LoopResult } from '../watch/redeploy.ts';
import { livePlan, liveRules } from './session.ts';

/** The workspace's shape as live update reads it: an esbuild backend, a Next.js frontend, a shared lib. */
const GRAPH = {
  nodes: {
    backend: {
      name: 'backend',
      type: 'app',
      data: {
        root: 'apps/backend',
        targets: {
          build: {
            executor: '@nx/esbuild:esbuild',
            options: { assets: [{ input: 'apps/backend/drizzle', glob: '**/*', output: 'drizzle' }] },
          },
          container: {},
        },
      },
    },
    frontend: { name: 'frontend', type: 'app', data: { root: 'apps/frontend', targets: { build: {}, container: {} } } },
    shared: { name: 'shared', type: 'lib', data: { root: 'libs/shared', targets: {} } },
    worker: { name: 'worker', type: 'app', data: { root: 'apps/worker', targets: { container: {} } } },
  },
  dependencies: {
    backend: [{ source: 'backend', target: 'shared', type: 'static' }],
    frontend: [
      { source: 'frontend', target: 'shared', type: 'static' },
      { source: 'frontend', target: 'npm:next', type: 'static' },
    ],
    shared: [],
    worker: [],
  },
} as unknown as ProjectGraph;

/** Each app's image inputs, as Nx's hash plan gives them. */
const IMAGES = {
  backend: new Set([
    'apps/backend/src/app/routes/health.ts',
    'apps/backend/drizzle/0003_tags.sql',
    'apps/backend/Dockerfile',
    'libs/shared/src/tasks.ts',
  ]),
  frontend: new Set([
    'apps/frontend/src/app/sign-in/page.tsx',
    'apps/frontend/next.config.ts',
    'libs/shared/src/tasks.ts',
  ]),
  worker: new Set(['apps/worker/src/main.ts']),
};
const chart = (file: string) => file.startsWith('deploy/helm/');
const plan = (...files: string[]) =>
  livePlan(liveRules(GRAPH, ['backend', 'frontend', 'worker']), GRAPH, files, IMAGES, chart);

describe('live update: what an edit takes', () => {
  it('knows each app by its build: an esbuild bundle, a Next.js dev server, or no live mode', () => {
    const rules = liveRules(GRAPH, ['backend', 'frontend', 'worker']);
    expect(rules.bundled).toEqual(['backend']);
    expect(rules.devServers).toEqual(['frontend']);
    // Source roots by Nx's convention (<root>/src), the app's and its libraries'.
    expect(rules.sources.get('backend')).toEqual(['apps/backend/src', 'libs/shared/src']);
    expect(rules.sources.has('worker')).toBe(false);
  });

  it('carries source edits of live apps, a shared library edit to both', () => {
    expect(plan('apps/backend/src/app/routes/health.ts')).toEqual({ kind: 'carried', apps: ['backend'] });
    expect(plan('apps/frontend/src/app/sign-in/page.tsx')).toEqual({ kind: 'carried', apps: ['frontend'] });
    expect(plan('libs/shared/src/tasks.ts')).toEqual({ kind: 'carried', apps: ['backend', 'frontend'] });
  });

  it('falls back to image-and-roll for what it cannot carry, saying why', () => {
    expect(plan('apps/backend/drizzle/0003_tags.sql')).toMatchObject({
      kind: 'fallback',
      why: expect.stringMatching(/a build asset such as a migration/),
    });
    expect(plan('apps/backend/Dockerfile')).toMatchObject({ why: expect.stringMatching(/image definition/) });
    expect(plan('package-lock.json')).toMatchObject({ why: expect.stringMatching(/dependencies/) });
    expect(plan('apps/backend/package.json')).toMatchObject({ why: expect.stringMatching(/dependencies/) });
    expect(plan('deploy/helm/todo-stack/values-dev.yaml')).toMatchObject({ why: expect.stringMatching(/the chart/) });
    expect(plan('apps/frontend/next.config.ts')).toMatchObject({
      why: expect.stringMatching(/not under a source root of frontend/),
    });
    expect(plan('apps/worker/src/main.ts')).toMatchObject({
      why: expect.stringMatching(/worker, which has no live mode/),
    });
    // One file it cannot carry decides for the whole loop.
    expect(plan('apps/backend/src/app/routes/health.ts', 'apps/backend/drizzle/0003_tags.sql')).toMatchObject({
      kind: 'fallback',
      file: 'apps/backend/drizzle/0003_tags.sql',
    });
  });

  it('leaves files that are no image input to the usual loop', () => {
    expect(plan('docs/benchmarks.md', 'apps/backend/test/health.test.ts')).toEqual({ kind: 'none' });
  });
});

describe('live update: chart values and the loop line', () => {
  const o = normalizeOptions({ watch: true, live: true }, { MINIKUBE_PROFILE: 'todo-stack' });
  const ref = (image: string, tag: string) => ({ image, tag, ref: `${image}:${tag}`, id: `sha256:${tag}` });
  const refs = { backend: ref('todo-backend', 'nx-1'), frontend: ref('todo-frontend', 'nx-2') };

  it('waits less for a burst of saves in live mode, unless told', () => {
    const profile = { MINIKUBE_PROFILE: 'todo-stack' };
    expect(o.debounce).toBe(100);
    expect(normalizeOptions({ watch: true }, profile).debounce).toBe(300);
    expect(normalizeOptions({ watch: true, live: true, debounce: 500 }, profile).debounce).toBe(500);
  });

  it('sets liveUpdate.* only when the cluster step found the workspace on the node', () => {
    const live = helmValues(
      o,
      chartValues(
        o,
        {
          context: 'c',
          minikube: true,
          live: { workspace: '/todo-stack', bundles: { backend: 'apps/backend/tmp/live' } },
        },
        refs,
      ),
    );
    expect(live.sets).toEqual(
      expect.arrayContaining([
        'liveUpdate.enabled=true',
        'liveUpdate.workspace=/todo-stack',
        'liveUpdate.backendBundle=apps/backend/tmp/live',
      ]),
    );
    const images = helmValues(o, chartValues(o, { context: 'c', minikube: true }, refs));
    expect(images.sets.filter((pair) => pair.startsWith('liveUpdate.'))).toEqual([]);
  });

  const result = (over: Partial<LoopResult>): LoopResult => ({
    files: ['apps/backend/src/app/routes/health.ts'],
    edited: [],
    affected: ['backend'],
    rebuilt: [],
    upgraded: false,
    outcome: 'live',
    phases: [
      { phase: 'plan', ms: 40 },
      { phase: 'sync', ms: 310 },
    ],
    ...over,
  });

  it('says what went live and how much was written', () => {
    const line = summaryLine(
      result({
        live: {
          bundles: [{ app: 'backend', ms: 300, files: ['dist/live/backend/main.js'], bytes: 3_100_000 }],
          devServers: [],
        },
      }),
    );
    expect(line).toBe(
      '⚡ changed apps/backend/src/app/routes/health.ts │ live: backend bundle rebuilt, 1 file (3.10 MB) written, restarting in place │ plan 0.0s · sync 0.3s',
    );
    expect(summaryLine(result({ live: { bundles: [], devServers: ['frontend'] } }))).toMatch(
      /live: frontend: its dev server recompiles at the next request/,
    );
  });

  it('says which path a fallback took and why', () => {
    const line = summaryLine(
      result({
        outcome: 'rolled',
        rebuilt: ['backend'],
        fallback: 'apps/backend/drizzle/0003_tags.sql is a build asset such as a migration',
      }),
    );
    expect(line).toMatch(
      /^↻ changed \S+ │ image-and-roll: apps\/backend\/drizzle\/0003_tags.sql is a build asset such as a migration │ rebuilt backend │ rolled backend/,
    );
  });
});
