import type { ProjectGraph } from '@nx/devkit';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { StepContext, Target } from '../context.ts';
import { dependenciesOf } from '../watch/affected.ts';
import { configuresNx } from '../watch/inputs.ts';
import { LiveBundle, type BundleWrite } from './bundle.ts';
import { liveWorkspace } from './mount.ts';
import { liveBundleDir } from '../values.ts';

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

const isUnder = (dir: string, file: string) => file === dir || file.startsWith(`${dir.replace(/\/$/, '')}/`);

/**
 * Live update (`--watch --live`): the pods run the workspace's code from the node, so a source edit reaches them
 * without an image or a rollout. An app bundled by @nx/esbuild is rebuilt here incrementally into a directory the
 * pods mount, and restarts in place; a Next.js app runs its dev server over the workspace and recompiles by itself.
 * What live update cannot carry (dependencies, Dockerfiles, chart and values, build assets such as migrations, build
 * configuration) goes through the image-and-roll loop, which says why.
 */
export class LiveSession {
  private readonly bundles: Map<string, LiveBundle>;
  /** Apps served by Next.js' dev server in live mode. */
  private readonly devServers: string[];
  /** Per live app: the source roots whose files it carries (its own and its workspace libraries'). */
  private readonly sources: Map<string, string[]>;
  /** Per bundled app: its build's asset inputs (copied into images: migrations, static files). */
  private readonly assets: Map<string, string[]>;
  private readonly root: string;

  private constructor(
    bundles: Map<string, LiveBundle>,
    devServers: string[],
    sources: Map<string, string[]>,
    assets: Map<string, string[]>,
    root: string,
  ) {
    this.bundles = bundles;
    this.devServers = devServers;
    this.sources = sources;
    this.assets = assets;
    this.root = root;
  }

  static async start(root: string, graph: ProjectGraph, apps: readonly string[]): Promise<LiveSession> {
    const bundles = new Map<string, LiveBundle>();
    const devServers: string[] = [];
    const sources = new Map<string, string[]>();
    const assets = new Map<string, string[]>();
    for (const app of apps) {
      const dev = (graph.dependencies[app] ?? []).some((dependency) => dependency.target === 'npm:next');
      if (LiveBundle.supports(graph, app)) {
        bundles.set(app, await LiveBundle.create(root, graph, app, liveBundleDir(app)));
        const inputs = (graph.nodes[app].data.targets?.build?.options?.assets ?? []) as ({ input: string } | string)[];
        assets.set(
          app,
          inputs.map((asset) => (typeof asset === 'string' ? asset : asset.input)),
        );
      } else if (!dev) continue;
      else devServers.push(app);
      const projects = [app, ...dependenciesOf(graph, app)].filter((name) => graph.nodes[name]);
      sources.set(
        app,
        projects.flatMap((name) => graph.nodes[name].data.sourceRoot ?? []),
      );
    }
    return new LiveSession(bundles, devServers, sources, assets, root);
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
    const { bundles } = await this.sync([...this.bundles.keys()]);
    for (const bundle of bundles)
      ctx.say(`  ${bundle.app}: bundle built in ${Math.round(bundle.ms)} ms → ${liveBundleDir(bundle.app)}`);
    for (const app of this.devServers) {
      const root = this.sources.get(app)?.[0];
      if (root) mkdirSync(path.join(this.root, path.dirname(root), '.next'), { recursive: true });
      ctx.say(`  ${app}: Next.js' dev server over the workspace (hot reload)`);
    }
    return { ...target, liveWorkspace: workspace };
  }

  /**
   * What a loop's files mean for live update. `files` changed since the last loop; `images`: each app's image
   * inputs; `release`: whether a file is the chart's or a values file.
   */
  plan(
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
        const why = this.whyNot(app, file);
        if (why) return { kind: 'fallback', file, why };
        carried.add(app);
      }
    }
    return carried.size ? { kind: 'carried', apps: [...carried].sort() } : { kind: 'none' };
  }

  private whyNot(app: string, file: string): string | undefined {
    const sources = this.sources.get(app);
    if (!sources) return `${app} has no live mode (neither an esbuild bundle nor a Next.js dev server)`;
    if (sources.some((root) => isUnder(root, file))) return undefined;
    if (/(^|\/)Dockerfile[^/]*$/.test(file)) return 'an image definition: the image is rebuilt';
    if (this.assets.get(app)?.some((asset) => isUnder(asset, file)))
      return 'a build asset such as a migration: it ships in the image (the migration Job runs it)';
    return `not under a source root of ${app} (${sources.join(', ')}): build or server configuration`;
  }

  /** Rebuilds the bundles of `apps` (those bundled); the dev servers among them reload by themselves. */
  async sync(apps: string[]): Promise<LiveSync> {
    const bundles: LiveSync['bundles'] = [];
    for (const app of apps) {
      const bundle = this.bundles.get(app);
      if (bundle) bundles.push({ app, ...(await bundle.build()) });
    }
    return { bundles, devServers: apps.filter((app) => this.devServers.includes(app)) };
  }

  /** The bundled apps (their bundles follow every loop, also one that rolls). */
  get bundledApps(): string[] {
    return [...this.bundles.keys()];
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.bundles.values()].map((bundle) => bundle.dispose()));
  }
}
