import { commandLine, type CommandResult, type Runner } from '../../lib/runner.ts';
import type { NormalizedOptions } from './options.ts';

/** An expected failure: its message is printed for the user and the executor returns { success: false }. */
export class DeployError extends Error {}

/** What the deploy takes from the Nx workspace and its environment, read once per run (see workspace.ts). */
export interface Workspace {
  /** Workspace root: the runner's working directory, for the files the executor reads itself. */
  root: string;
  /** The Nx project whose target runs the deploy (`deploy`): its files are the chart, not an image. */
  project: string;
  /** The apps it deploys: the project's dependencies that have a `container` target, sorted. */
  apps: readonly string[];
  /** Where the apps' container targets record the image they built (see lib/image-refs.ts). */
  imageCacheDir: string;
  /** Where minikube keeps its profiles' saved configs (lib/profile.ts minikubeDir); undefined: not known. */
  minikubeDir?: string;
}

/** What every step gets: the options, the workspace, the runner (the outside world) and small helpers on it. */
export interface StepContext extends Workspace {
  o: NormalizedOptions;
  runner: Runner;
  say(message: string): void;
  warn(message: string): void;
  /** Prints a step's title. */
  step(title: string): void;
  /** Runs a command that changes something, or prints it in dry-run mode; a non-zero exit throws `failure`. */
  act(command: string, args: string[], failure: string, env?: Record<string, string>): Promise<void>;
  /** Runs a read-only command and returns its output (also in dry-run mode). */
  read(command: string, args: string[]): Promise<CommandResult>;
}

export function stepContext(o: NormalizedOptions, runner: Runner, workspace: Workspace): StepContext {
  const say = (message: string) => runner.info(message);
  return {
    ...workspace,
    o,
    runner,
    say,
    warn: (message) => runner.error(`⚠ ${message}`),
    step: (title) => say(`\n▸ ${title}`),
    async act(command, args, failure, env) {
      if (o.dryRun) return say(`  [dry-run] ${commandLine(command, args)}`);
      say(`  $ ${commandLine(command, args)}`);
      const result = await runner.run(command, args, { env });
      if (result.code !== 0) throw new DeployError(failure);
    },
    read: (command, args) => runner.run(command, args, { capture: true }),
  };
}

/** Where the release goes: the kube context both for helm (--kube-context) and kubectl (--context). */
export interface Target {
  context: string;
  minikube: boolean;
  /** Minikube: the node's address (`minikube ip`), where the frontend's NodePort answers. */
  nodeAddress?: string;
  /** --live: the workspace's path on the node, which the live pods mount (live/mount.ts), and the bundles in it. */
  live?: { workspace: string; bundles: Record<string, string> };
}

export const helmTarget = (ctx: StepContext, target: Target) => [
  '--namespace',
  ctx.o.namespace,
  '--kube-context',
  target.context,
];
export const kubectlTarget = (ctx: StepContext, target: Target) => [
  '--context',
  target.context,
  '--namespace',
  ctx.o.namespace,
];
