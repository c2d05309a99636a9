import * as path from 'node:path';
import { DeployError, type StepContext } from '../context';
import type { App } from '../steps/images';

/**
 * How to run the workspace's own Nx: its CLI script under this Node, which spares each loop npx's package lookup
 * (0.5–1 s on a busy machine); `npx nx` when the workspace has no resolvable nx package.
 */
export function nxCommand(root: string): { command: string; args: string[] } {
  try {
    const manifest = require.resolve('nx/package.json', { paths: [root] });
    const { bin } = require(manifest) as { bin: { nx: string } };
    return { command: process.execPath, args: [path.join(path.dirname(manifest), bin.nx)] };
  } catch {
    return { command: 'npx', args: ['nx'] };
  }
}

/** Lines of a failed build worth showing: the compiler's or Docker's message is at the end. */
export const BUILD_ERROR_LINES = 40;

/**
 * Runs the apps' `container` targets through Nx, so its cache applies: an app whose inputs did not change (a test
 * file, a revert to a state built before) is restored from the cache with its old tag instead of being rebuilt.
 */
export async function buildImages(ctx: StepContext, apps: App[]): Promise<void> {
  const nx = nxCommand(ctx.root);
  const args = [
    ...nx.args,
    'run-many',
    '--targets=container',
    `--projects=${apps.join(',')}`,
    '--outputStyle=static-failures-only',
  ];
  const result = await ctx.read(nx.command, args);
  if (result.code === 0) return;
  const output = `${result.stdout}\n${result.stderr}`.split(/\r?\n/).filter((line) => line.trim() !== '');
  for (const line of output.slice(-BUILD_ERROR_LINES)) ctx.runner.error(`  | ${line}`);
  throw new DeployError(
    `the ${apps.join(' and ')} image build failed (nx ${args.slice(nx.args.length).join(' ')}; its last lines are above).`,
  );
}
