import type { ProjectGraph } from '@nx/devkit';
import type { Runner } from '../../../lib/runner';
import { DeployError, stepContext, type StepContext, type Target } from '../context';
import type { NormalizedOptions } from '../options';
import { APPS, images, type App, type ImageRefs } from '../steps/images';
import { fingerprintOf, releaseState, upgrade } from '../steps/release';
import { transport } from '../steps/transport';
import { affectedBy } from './affected';
import { buildImages } from './build';
import { BufferingRunner } from './buffered-runner';

export type Phase = 'graph' | 'build' | 'load' | 'roll';

/** What one loop did, for its one printed line. */
export interface LoopResult {
  files: string[];
  /** Apps the graph said an edit could affect (their container targets were run). */
  affected: App[];
  /** Apps whose image tag changed: they were loaded and their Deployments rolled. */
  rebuilt: App[];
  /** The release was upgraded (new tags, or chart/values changes). */
  upgraded: boolean;
  outcome: 'unaffected' | 'unchanged' | 'rolled' | 'failed';
  phases: { phase: Phase; ms: number }[];
  /** Why it failed; the steps' output (build log, diagnosis) has been printed above. */
  error?: string;
}

export interface RedeployDeps {
  /** The workspace's project graph, asked on each loop (projects and imports change). */
  graph(): Promise<ProjectGraph>;
  now(): number;
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

  constructor(
    o: NormalizedOptions,
    runner: Runner,
    root: string,
    private readonly target: Target,
    private readonly deps: RedeployDeps,
  ) {
    this.buffer = new BufferingRunner(runner);
    // --force is for the first deploy; in the loop an unchanged fingerprint must mean "nothing to do". A crashing
    // pod is diagnosed after watchTimeout rather than blocking the loop for the first deploy's timeout.
    this.ctx = stepContext({ ...o, force: false, timeout: o.watchTimeout }, this.buffer, root);
  }

  async run(files: string[]): Promise<LoopResult> {
    const result: LoopResult = { files, affected: [], rebuilt: [], upgraded: false, outcome: 'unchanged', phases: [] };
    const timed = async <T>(phase: Phase, work: () => Promise<T>): Promise<T> => {
      const start = this.deps.now();
      try {
        return await work();
      } finally {
        result.phases.push({ phase, ms: this.deps.now() - start });
      }
    };
    try {
      const affected = affectedBy(await timed('graph', () => this.deps.graph()), files);
      result.affected = affected.apps;
      if (!affected.apps.length && !affected.release) {
        result.outcome = 'unaffected';
        return result;
      }
      if (affected.apps.length) await timed('build', () => buildImages(this.ctx, affected.apps));
      const refs = await images(this.ctx);
      const deployed = this.deployed;
      result.rebuilt = APPS.filter((app) => !deployed || refs[app].tag !== deployed[app].tag);
      const fingerprint = fingerprintOf(this.ctx, refs);
      if ((await releaseState(this.ctx, this.target, fingerprint)) === 'unchanged') {
        // The release runs these tags already (e.g. the edit was reverted after a failed rollout).
        this.deployed = refs;
        result.rebuilt = [];
        return result;
      }
      if (result.rebuilt.length) await timed('load', () => transport(this.ctx, this.target, refs, result.rebuilt, []));
      await timed('roll', () => upgrade(this.ctx, this.target, refs, fingerprint));
      this.deployed = refs;
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

  /** The tags the release was deployed with before watching (the workspace's last container builds). */
  async start(): Promise<void> {
    try {
      this.deployed = await images(this.ctx);
    } catch (error) {
      // Unknown: the first loop then loads and rolls every app (load skips images the cluster has).
      if (!(error instanceof DeployError)) throw error;
    } finally {
      this.buffer.discard();
    }
  }
}
