import type { ProjectGraph } from '@nx/devkit';
import type { Runner } from '../../../lib/runner.ts';
import { DeployError, stepContext, type StepContext, type Target, type Workspace } from '../context.ts';
import type { NormalizedOptions } from '../options.ts';
import { images, type ImageRefs } from '../steps/images.ts';
import { fingerprintOf, releaseState } from '../steps/release/state.ts';
import { upgrade } from '../steps/release/upgrade.ts';
import { transport } from '../steps/transport.ts';
import { affectedBy, type Affected } from './affected.ts';
import { buildImages } from '../steps/build-images.ts';
import { BufferingRunner } from './buffered-runner.ts';
import { configuresNx, type WorkspaceInputs } from './inputs.ts';
import { livePlan, type LiveSession, type LiveSync } from '../live/session.ts';

type Phase = 'graph' | 'plan' | 'sync' | 'build' | 'load' | 'roll';

/** What one loop did, for its one printed line. */
export interface LoopResult {
  files: string[];
  /** Those whose content differs from what the release was built from (all of them when that is unknown). */
  edited: string[];
  /** Apps the graph said an edit could affect (their container targets were run). */
  affected: string[];
  /** Apps whose image tag changed: they were loaded and their Deployments rolled. */
  rebuilt: string[];
  /** The release was upgraded (new tags, or chart/values changes). */
  upgraded: boolean;
  outcome: 'unaffected' | 'unchanged' | 'live' | 'rolled' | 'failed';
  phases: { phase: Phase; ms: number }[];
  /** --live: what the live sync did (the whole loop with outcome 'live'; beside the roll otherwise). */
  live?: LiveSync;
  /** --live: the file live update could not carry, and why: the loop took the image-and-roll path. */
  fallback?: string;
  /** Why it failed; the steps' output (build log, diagnosis) has been printed above. */
  error?: string;
}

export interface RedeployDeps {
  /** The workspace's project graph, asked on each loop (projects and imports change). */
  graph(): Promise<ProjectGraph>;
  now(): number;
  /**
   * Nx's input resolution in-process: with it, an edit that is no app image's input, or a save that leaves the
   * content as deployed, deploys nothing without spawning `nx run-many`. Without it every affected app asks Nx.
   */
  inputs?: WorkspaceInputs;
  /** --live: source edits go to the running pods (live/session.ts); needs `inputs`. */
  live?: LiveSession;
}

/**
 * One turn of the inner loop: changed files → affected apps (project graph) → their images (Nx container
 * targets, cached) → the release (fingerprint, load, helm upgrade). The steps are the deploy's own; their output
 * is kept and printed only when the loop fails.
 */
export class Redeployer {
  private readonly buffer: BufferingRunner;
  private readonly ctx: StepContext;
  /** The tags the release runs: an app whose new tag equals its deployed one has nothing to roll. */
  private deployed: ImageRefs | undefined;
  /** The workspace's content hashes when the release's last deploy started (what it was built from). */
  private deployedFiles: Map<string, string> | undefined;
  /** --live: the content hashes the last loop saw (what the pods run, for the files live update carried). */
  private seen: Map<string, string> | undefined;

  private readonly target: Target;
  private readonly deps: RedeployDeps;

  constructor(o: NormalizedOptions, runner: Runner, workspace: Workspace, target: Target, deps: RedeployDeps) {
    this.target = target;
    this.deps = deps;
    this.buffer = new BufferingRunner(runner);
    // --force is for the first deploy; in the loop an unchanged fingerprint must mean "nothing to do". A crashing
    // pod is diagnosed after watchTimeout rather than blocking the loop for the first deploy's timeout.
    this.ctx = stepContext({ ...o, force: false, timeout: o.watchTimeout }, this.buffer, workspace);
  }

  async run(files: string[]): Promise<LoopResult> {
    const result: LoopResult = {
      files,
      edited: files,
      affected: [],
      rebuilt: [],
      upgraded: false,
      outcome: 'unchanged',
      phases: [],
    };
    const timed = <T>(phase: Phase, work: () => Promise<T>) => this.timed(result, phase, work);
    try {
      if (this.deps.live && this.deps.inputs && (await this.liveLoop(this.deps.live, this.deps.inputs, result)))
        return result;
      const affected = await timed('graph', async () => {
        const graph = await this.deps.graph();
        const affected = affectedBy(graph, this.ctx, files);
        // Nx's internals moved or failed (an Nx upgrade): its container targets judge, as without the inputs.
        return this.narrow(graph, affected, result).catch(() => affected);
      });
      result.affected = affected.apps;
      if (!affected.apps.length && !affected.release) {
        result.outcome = 'unaffected';
        return result;
      }
      const building = await this.deps.inputs?.snapshot();
      if (affected.apps.length) await timed('build', () => buildImages(this.ctx, affected.apps));
      const refs = await images(this.ctx);
      const deployed = this.deployed;
      result.rebuilt = this.ctx.apps.filter((app) => !deployed || refs[app].tag !== deployed[app].tag);
      const fingerprint = fingerprintOf(this.ctx, this.target, refs);
      if ((await releaseState(this.ctx, this.target, fingerprint)) === 'unchanged') {
        // The release runs these tags already (e.g. the edit was reverted after a failed rollout).
        this.deployed = refs;
        this.deployedFiles = building;
        result.rebuilt = [];
        return result;
      }
      if (result.rebuilt.length) await timed('load', () => transport(this.ctx, this.target, refs, result.rebuilt, []));
      await timed('roll', () => upgrade(this.ctx, this.target, refs, fingerprint));
      this.deployed = refs;
      this.deployedFiles = building;
      result.upgraded = true;
      result.outcome = 'rolled';
      return result;
    } catch (error) {
      this.buffer.flush();
      if (!(error instanceof DeployError)) throw error;
      result.outcome = 'failed';
      result.error = error.message;
      return result;
    } finally {
      this.buffer.discard();
    }
  }

  /**
   * Narrows what the project graph says an edit may affect to what it does affect, from Nx's resolved inputs: the
   * files whose content differs from the deployed build, the apps that have one of them as an image input, the
   * release if one is a chart or values file. Files that configure Nx, and deletions, are left for Nx to judge.
   */
  private async narrow(graph: ProjectGraph, affected: Affected, result: LoopResult): Promise<Affected> {
    const { inputs } = this.deps;
    if (!inputs) return affected;
    const now = await inputs.refresh(result.files);
    const deployed = this.deployedFiles;
    result.edited = result.files.filter((file) => !deployed?.has(file) || deployed.get(file) !== now.get(file));
    if (result.edited.some((file) => !now.has(file) || configuresNx(graph, file))) return affected;
    const edited = (files: ReadonlySet<string>) => result.edited.some((file) => files.has(file));
    const images =
      result.edited.length && affected.apps.length ? await inputs.imageInputs(graph, affected.apps) : undefined;
    return {
      apps: affected.apps.filter((app) => images && edited(images[app])),
      release: result.edited.some((file) => this.isRelease(file)),
    };
  }

  private isRelease(file: string): boolean {
    return this.ctx.o.valuesFiles.includes(file) || isUnder(this.ctx.o.chart, file);
  }

  private async timed<T>(result: LoopResult, phase: Phase, work: () => Promise<T>): Promise<T> {
    const start = this.deps.now();
    try {
      return await work();
    } finally {
      result.phases.push({ phase, ms: this.deps.now() - start });
    }
  }

  /**
   * --live: the files changed since the last loop that live update carries go to the pods (bundles rebuilt, dev
   * servers reloading) and end the loop (true). A file it cannot carry sends the loop on to the image-and-roll path
   * (false, with `fallback` saying why); the bundles are rebuilt then too, so the pods the roll starts run them.
   */
  private async liveLoop(live: LiveSession, inputs: WorkspaceInputs, result: LoopResult): Promise<boolean> {
    const plan = await this.timed(result, 'plan', async () => {
      const now = await inputs.refresh(result.files);
      const changed = result.files.filter((file) => !this.seen || this.seen.get(file) !== now.get(file));
      for (const file of result.files) {
        const hash = now.get(file);
        if (hash === undefined) this.seen?.delete(file);
        else this.seen?.set(file, hash);
      }
      if (!changed.length) return { kind: 'none' as const };
      const graph = await this.deps.graph();
      const images = await inputs.imageInputs(graph, [...this.ctx.apps]);
      return livePlan(live.rules, graph, changed, images, (file) => this.isRelease(file));
    });
    if (plan.kind === 'none') return false;
    if (plan.kind === 'carried') {
      result.affected = plan.apps;
      result.live = await this.timed(result, 'sync', () => live.sync(plan.apps));
      result.outcome = 'live';
      return true;
    }
    result.fallback = `${plan.file} is ${plan.why}`;
    result.live = await this.timed(result, 'sync', () => live.sync(live.rules.bundled));
    return false;
  }

  /** The tags the release was deployed with before watching (the workspace's last container builds). */
  async start(): Promise<void> {
    try {
      this.deployedFiles = await this.deps.inputs?.snapshot();
      this.seen = this.deployedFiles && new Map(this.deployedFiles);
      this.deployed = await images(this.ctx);
    } catch (error) {
      // Unknown: the first loop then loads and rolls every app (load skips images the cluster has).
      if (!(error instanceof DeployError)) throw error;
    } finally {
      this.buffer.discard();
    }
  }
}

const isUnder = (dir: string, file: string) => file.startsWith(`${dir.replace(/^\.\/|\/$/g, '')}/`);
