import { readProjectsConfigurationFromProjectGraph, type ProjectGraph } from '@nx/devkit';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DeployError } from '../context.ts';

/**
 * The file a live bundle writes last, in a folder of its own that the pods' runner watches (runner.mjs): one reload
 * per build, after every output is in place. A folder, not the file: a watch on a file ends when the file is
 * replaced; the folder stays.
 */
const GENERATION_FILE = 'restart/generation';

/** The app's live entry, relative to its root: `serve()` starts the app and returns how to close it. */
const LIVE_ENTRY = 'src/live.ts';

/** The process the pods run (copied beside the bundle): it swaps the app in place at each generation. */
const RUNNER = new URL('./runner.mjs', import.meta.url);

/** The package names of the workspace projects `app` depends on (they are bundled: sources, not packages). */
function workspacePackages(root: string, graph: ProjectGraph, app: string): string[] {
  return (graph.dependencies[app] ?? []).flatMap(({ target }) => {
    const project = graph.nodes[target];
    if (!project) return [];
    try {
      return [JSON.parse(readFileSync(path.join(root, project.data.root, 'package.json'), 'utf8')).name as string];
    } catch {
      return [];
    }
  });
}

/**
 * An esbuild plugin that leaves every package import to Node at run time except the workspace's own: what esbuild
 * then rebuilds is the app's code (a few hundred kB, tens of milliseconds) rather than the 3 MB of its
 * dependencies (seconds), and the pods resolve those from the mounted workspace's node_modules.
 */
function packagesFromNodeModules(bundled: string[]) {
  return {
    name: 'live-packages-from-node-modules',
    setup(build: {
      onResolve(options: { filter: RegExp }, callback: (args: { path: string }) => object | undefined): void;
    }) {
      build.onResolve({ filter: /^[^./]/ }, ({ path: specifier }) =>
        bundled.some((name) => specifier === name || specifier.startsWith(`${name}/`)) ? undefined : { external: true },
      );
    },
  };
}

/** What one build of a live bundle wrote. */
export interface BundleWrite {
  ms: number;
  /** Output files whose content changed (written), workspace-relative. */
  files: string[];
  bytes: number;
}

/** The parts of esbuild's API used here (the workspace's esbuild, loaded at run time). */
interface EsbuildContext {
  rebuild(): Promise<{ outputFiles?: { path: string; contents: Uint8Array }[] }>;
  dispose(): Promise<void>;
}

/**
 * An app bundled by @nx/esbuild (the backend), rebuilt incrementally in this process for live update: the esbuild
 * options of its `build` target (Nx's own option resolution: the target's options, its default configuration, its
 * esbuild config file), except that packages stay in node_modules (packagesFromNodeModules) and the entry is the app's
 * live entry (src/live.ts), into a directory the pods mount, beside the runner that serves it (runner.mjs). An esbuild context keeps the parsed modules between builds; only the outputs whose content changed are
 * written, then the generation file, once. `nx build` and its cache are left alone: the image path builds as before.
 */
export class LiveBundle {
  private readonly hashes = new Map<string, string>();
  private generation = 0;
  /** Absolute output directory. */
  private readonly dir: string;
  private readonly root: string;
  private readonly context: EsbuildContext;

  private readonly app: string;

  private constructor(app: string, dir: string, root: string, context: EsbuildContext) {
    this.app = app;
    this.dir = dir;
    this.root = root;
    this.context = context;
  }

  /** Whether `app` is built by @nx/esbuild (its live update is a bundle; a Next.js app's is its dev server). */
  static supports(graph: ProjectGraph, app: string): boolean {
    return graph.nodes[app]?.data.targets?.build?.executor === '@nx/esbuild:esbuild';
  }

  /** The bundle of `app` written under `outDir` (workspace-relative); its assets are copied once. */
  static async create(root: string, graph: ProjectGraph, app: string, outDir: string): Promise<LiveBundle> {
    const build = graph.nodes[app]?.data.targets?.build;
    if (!build) throw new Error(`${app} has no build target`);
    const entry = path.join(graph.nodes[app].data.root, LIVE_ENTRY);
    if (!existsSync(path.join(root, entry)))
      throw new Error(
        `${entry} is missing: live update serves ${app} through it (export async function serve(): Promise<{ close(): Promise<void> }>, as apps/backend/src/live.ts does).`,
      );
    // @nx/esbuild's option resolution is internal (its package exports only the executor): required by path, from
    // the version the workspace pins, as the executor itself runs it.
    const workspace = createRequire(path.join(root, 'package.json'));
    const nxEsbuild = path.dirname(workspace.resolve('@nx/esbuild/package.json'));
    const lib = (name: string) => workspace(path.join(nxEsbuild, 'dist/src/executors/esbuild/lib', name));
    const { normalizeOptions } = lib('normalize.js');
    const { buildEsbuildOptions } = lib('build-esbuild-options.js');
    const { copyAssets } = workspace('@nx/js') as typeof import('@nx/js');
    const configuration = build.defaultConfiguration;
    const options = {
      ...build.options,
      ...(configuration ? build.configurations?.[configuration] : {}),
      outputPath: outDir,
      deleteOutputPath: false,
      watch: false,
    };
    const context = {
      root,
      cwd: root,
      isVerbose: false,
      projectName: app,
      targetName: 'build',
      configurationName: configuration,
      projectGraph: graph,
      projectsConfigurations: readProjectsConfigurationFromProjectGraph(graph),
      nxJsonConfiguration: {},
    };
    const normalized = await normalizeOptions(options, context);
    const dir = path.join(root, outDir);
    mkdirSync(dir, { recursive: true });
    await copyAssets(normalized, context as never);
    const format = [normalized.format ?? 'esm'].flat()[0];
    const esbuild = await import(pathToFileURL(workspace.resolve('esbuild')).href);
    const esbuildOptions = buildEsbuildOptions(format, normalized, context);
    const esbuildContext = await esbuild.context({
      ...esbuildOptions,
      // One file per build, so that each reload runs every module of the app afresh (no chunk's state survives).
      entryPoints: [entry],
      splitting: false,
      plugins: [...(esbuildOptions.plugins ?? []), packagesFromNodeModules(workspacePackages(root, graph, app))],
      write: false,
    });
    copyFileSync(RUNNER, path.join(dir, 'runner.mjs'));
    return new LiveBundle(app, dir, root, esbuildContext);
  }

  /** Builds, writes what changed, removes outputs the build no longer makes, then the generation file. */
  async build(): Promise<BundleWrite> {
    const start = performance.now();
    // esbuild prints its errors (file, line, what); an edit that does not build is the developer's to fix.
    const result = await this.context.rebuild().catch((error: Error) => {
      throw new DeployError(`${this.app}: the bundle did not build (${error.message.split('\n')[0]})`);
    });
    const written: string[] = [];
    let bytes = 0;
    const outputs = new Set<string>();
    for (const file of result.outputFiles ?? []) {
      outputs.add(file.path);
      const hash = createHash('sha256').update(file.contents).digest('hex');
      if (this.hashes.get(file.path) === hash) continue;
      mkdirSync(path.dirname(file.path), { recursive: true });
      // Whole or not at all: the runner may import the file at any time (a reload in progress).
      writeFileSync(`${file.path}.tmp`, file.contents);
      renameSync(`${file.path}.tmp`, file.path);
      this.hashes.set(file.path, hash);
      written.push(path.relative(this.root, file.path));
      bytes += file.contents.byteLength;
    }
    // Chunks are named by content: an edit that moves one leaves the old file behind.
    for (const file of [...this.hashes.keys()].filter((file) => !outputs.has(file))) {
      rmSync(file, { force: true });
      this.hashes.delete(file);
    }
    if (written.length || !this.generation) {
      this.generation += 1;
      const generation = path.join(this.dir, GENERATION_FILE);
      mkdirSync(path.dirname(generation), { recursive: true });
      writeFileSync(generation, `${Date.now()} ${this.generation}\n`);
    }
    return { ms: performance.now() - start, files: written, bytes };
  }

  dispose(): Promise<void> {
    return this.context.dispose();
  }
}
