import { nxCommand } from '../../../lib/nx-cli.ts';
import { DeployError, type StepContext } from '../context.ts';

/** Lines of a failed build worth showing: the compiler's or Docker's message is at the end. */
const BUILD_ERROR_LINES = 40;

/**
 * Runs the apps' `container` targets through Nx, so its cache applies: an app whose inputs did not change (a test
 * file, a revert to a state built before) is restored from the cache with its old tag instead of being rebuilt.
 * `skipCache` for an image the cache records but Docker no longer has: a cache hit would restore only its ID.
 */
export async function buildImages(
  ctx: StepContext,
  apps: readonly string[],
  { skipCache = false } = {},
): Promise<void> {
  const nx = nxCommand(ctx.root);
  const args = [
    ...nx.args,
    'run-many',
    '--targets=container',
    `--projects=${apps.join(',')}`,
    '--outputStyle=static-failures-only',
    ...(skipCache ? ['--skip-nx-cache'] : []),
  ];
  const result = await ctx.read(nx.command, args);
  if (result.code === 0) return;
  const output = `${result.stdout}\n${result.stderr}`.split(/\r?\n/).filter((line) => line.trim() !== '');
  for (const line of output.slice(-BUILD_ERROR_LINES)) ctx.runner.error(`  | ${line}`);
  throw new DeployError(
    `the ${apps.join(' and ')} image build failed (nx ${args.slice(nx.args.length).join(' ')}; its last lines are above).`,
  );
}
