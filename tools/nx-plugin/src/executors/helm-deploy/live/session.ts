import type { ProjectGraph } from '@nx/devkit';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { StepContext, Target } from '../context.ts';
import { dependenciesOf } from '../watch/affected.ts';
import { configuresNx } from '../watch/inputs.ts';
import { LiveBundle, type BundleWrite } from './bundle.ts';
import { liveWorkspace } from './mount.ts';

/** What live update does with a loop's changed files. */
export type LivePlan =
  | { kind: 'carried'; apps: string[] }
  | { kind: 'fallback'; file: string; why: string }
  | { kind: 'none' };

/** One live sync: per bundled app, what its build wrote; the dev-server apps that reload by themselves. */
export interface LiveSync {
  bundles: (BundleWrite & { app: string })[];
  devServers: string[];
}

/** Which apps live update carries and how, from the project graph. */
export interface LiveRules {
  /** Apps built by @nx/esbuild: rebuilt here, restarted in place. */
  bundled: string[];
  /** Next.js apps: their dev server runs in the pod. */
  devServers: string[];
  /** Per live app: the source roots whose files it carries (its own and its workspace libraries'). */
  sources: Map<string, string[]>;
  /** Per bundled app: its build's asset inputs (they ship in the image: migrations, static files). */
  assets: Map<string, string[]>;
  /** Per live app: its project root. */
  roots: Map<string, string>;
}

/**
 * Where an app's live bundle is built, workspace-relative: in its project (git-ignored `tmp/`), so that Node resolves
 * the packages the bundle leaves out from the app's node_modules and the workspace's, as the sources do.
 */
export const liveBundleDir = (appRoot: string) => path.posix.join(appRoot, 'tmp/live');

/** A project's sources: its `sourceRoot`, else Nx's convention, `<root>/src`. */
const sourceRoot = (graph: ProjectGraph, project: string) =>
  graph.nodes[project].data.sourceRoot ?? path.posix.join(graph.nodes[project].data.root, 'src');

const isUnder = (dir: string, file: string) => file === dir || file.startsWith(`${dir.replace(/\/$/, '')}/`);

export function liveRules(graph: ProjectGraph, apps: readonly string[]): LiveRules {
  const rules: LiveRules = { bundled: [], devServers: [], sources: new Map(), assets: new Map(), roots: new Map() };
  for (const app of apps) {
    if (LiveBundle.supports(graph, app)) {
      rules.bundled.push(app);
      const assets = (graph.nodes[app].data.targets?.build?.options?.assets ?? []) as ({ input: string } | string)[];
      rules.assets.set(
        app,
        assets.map((asset) => (typeof asset === 'string' ? asset : asset.input)),
      );
    } else if ((graph.dependencies[app] ?? []).some((dependency) => dependency.target === 'npm:next')) {
      rules.devServers.push(app);
    } else continue;
    const projects = [app, ...dependenciesOf(graph, app)].filter((name) => graph.nodes[name]);
    rules.sources.set(
      app,
      projects.map((name) => sourceRoot(graph, name)),
    );
    rules.roots.set(app, graph.nodes[app].data.root);
  }
  return rules;
}

/** Why live update cannot carry an edit of `file`, an image input of `app`; undefined when it can. */
function whyNot(rules: LiveRules, app: string, file: string): string | undefined {
  const sources = rules.sources.get(app);
  if (!sources) return `an input of ${app}, which has no live mode (neither an esbuild bundle nor a Next.js app)`;
  if (sources.some((root) => isUnder(root, file))) return undefined;
  if (/(^|\/)Dockerfile[^/]*$/.test(file)) return 'an image definition: the image is rebuilt';
  if (rules.assets.get(app)?.some((asset) => isUnder(asset, file)))
    return 'a build asset such as a migration: it ships in the image (the migration Job runs it)';
  return `not under a source root of ${app} (${sources.join(', ')}): build or server configuration`;
}

/**
 * What a loop's files mean for live update: `files` changed since the last loop, `images` holds each app's image
 * inputs, `release` tells the chart's and the values files. Carried: every image input among them is a source of a
 * live app. Otherwise the first one that is not, and why.
 */
export function livePlan(
  rules: LiveRules,
  graph: ProjectGraph,
  files: string[],
  images: Record<string, ReadonlySet<string>>,
  release: (file: string) => boolean,
): LivePlan {
  const carried = new Set<string>();
  for (const file of files) {
    if (configuresNx(graph, file))
      return { kind: 'fallback', file, why: 'dependencies or Nx configuration: the images are rebuilt' };
    if (release(file)) return { kind: 'fallback', file, why: 'the chart or a values file: the release is upgraded' };
    for (const [app, inputs] of Object.entries(images)) {
      if (!inputs.has(file)) continue;
      const why = whyNot(rules, app, file);
      if (why) return { kind: 'fallback', file, why };
      carried.add(app);
    }
  }
  return carried.size ? { kind: 'carried', apps: [...carried].sort() } : { kind: 'none' };
}

/**
 * Live update (`--watch --live`): the pods run the workspace's code from the node, so a source edit reaches them
 * without an image or a rollout. An app bundled by @nx/esbuild is rebuilt here incrementally into a directory the
 * pods mount, and restarts in place; a Next.js app runs its dev server over the workspace and recompiles by itself.
 * What live update cannot carry (dependencies, Dockerfiles, chart and values, build assets such as migrations, build
 * configuration) goes through the image-and-roll loop, which says why.
 */
export class LiveSession {
  readonly rules: LiveRules;
  private readonly bundles: Map<string, LiveBundle>;
  private readonly root: string;

  private constructor(rules: LiveRules, bundles: Map<string, LiveBundle>, root: string) {
    this.rules = rules;
    this.bundles = bundles;
    this.root = root;
  }

  static async start(root: string, graph: ProjectGraph, apps: readonly string[]): Promise<LiveSession> {
    const rules = liveRules(graph, apps);
    const bundles = new Map<string, LiveBundle>();
    for (const app of rules.bundled)
      bundles.set(app, await LiveBundle.create(root, graph, app, liveBundleDir(graph.nodes[app].data.root)));
    return new LiveSession(rules, bundles, root);
  }

  /**
   * Before the first deploy: the workspace's path on the node (the chart's liveUpdate.workspace), the bundles built,
   * and the dev servers' `.next` folders present (their own build output is mounted there, over the read-only
   * workspace, which cannot make the folder itself).
   */
  async prepare(ctx: StepContext, target: Target): Promise<Target> {
    ctx.step('live update');
    const workspace = await liveWorkspace(ctx, target);
    ctx.say(`  the workspace is ${workspace} on the node; the pods run its code`);
    const { bundles } = await this.sync(this.rules.bundled);
    const dirs = Object.fromEntries(
      this.rules.bundled.map((app) => [app, liveBundleDir(this.rules.roots.get(app) ?? app)]),
    );
    for (const bundle of bundles)
      ctx.say(`  ${bundle.app}: bundle built in ${Math.round(bundle.ms)} ms → ${dirs[bundle.app]}`);
    for (const app of this.rules.devServers) {
      const appRoot = path.join(this.root, this.rules.roots.get(app) ?? app);
      mkdirSync(path.join(appRoot, '.next'), { recursive: true });
      // next dev rewrites its type references (git-ignored) at start: the one workspace file the pod writes, mounted
      // on its own (the chart); the pod runs as another user than the workspace's owner.
      const nextEnv = path.join(appRoot, 'next-env.d.ts');
      if (!existsSync(nextEnv)) writeFileSync(nextEnv, '');
      chmodSync(nextEnv, 0o666);
      ctx.say(`  ${app}: Next.js' dev server over the workspace (hot reload)`);
    }
    return { ...target, live: { workspace, bundles: dirs } };
  }

  /** Rebuilds the bundles of `apps` (those bundled); the dev servers among them reload by themselves. */
  async sync(apps: string[]): Promise<LiveSync> {
    const bundles: LiveSync['bundles'] = [];
    for (const app of apps) {
      const bundle = this.bundles.get(app);
      if (bundle) bundles.push({ app, ...(await bundle.build()) });
    }
    return { bundles, devServers: apps.filter((app) => this.rules.devServers.includes(app)) };
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.bundles.values()].map((bundle) => bundle.dispose()));
  }
}
