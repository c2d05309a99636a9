import { createRequire } from 'node:module';
import * as path from 'node:path';

/**
 * How to run the workspace's own Nx: its CLI script under this Node, which spares each loop npx's package lookup
 * (0.5–1 s on a busy machine); `npx nx` when the workspace has no resolvable nx package.
 */
export function nxCommand(root: string): { command: string; args: string[] } {
  try {
    // Resolved from the workspace root, as `npx nx` there would.
    const require = createRequire(path.join(root, 'package.json'));
    const manifest = require.resolve('nx/package.json');
    const { bin } = require(manifest) as { bin: { nx: string } };
    return { command: process.execPath, args: [path.join(path.dirname(manifest), bin.nx)] };
  } catch {
    return { command: 'npx', args: ['nx'] };
  }
}
