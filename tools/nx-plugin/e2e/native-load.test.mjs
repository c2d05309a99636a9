// The plugin as Nx runs it: Node loads its TypeScript as it is (type stripping, no transpiler), so what Jest's
// CommonJS build hides shows here: an ESM import of a CommonJS module without named exports, a non-erasable
// construct. Loads the executor and exercises watch mode's use of Nx's internals (file index, hash plan).
//   node --test tools/nx-plugin/e2e/native-load.test.mjs        (npx nx e2e nx-plugin)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const src = path.join(root, 'tools/nx-plugin/src');

describe('the plugin under Node type stripping', () => {
  before(() => {
    // Nx writes the project graph the watch loop reads (readCachedProjectGraph).
    const result = spawnSync(
      process.execPath,
      [path.join(root, 'node_modules/nx/dist/bin/nx.js'), 'show', 'projects'],
      {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
      },
    );
    assert.equal(result.status, 0, result.stderr);
  });

  it('loads the executor and the plugin entry point', async () => {
    assert.equal(typeof (await import(path.join(src, 'executors/helm-deploy/executor.ts'))).default, 'function');
    assert.equal(typeof (await import(path.join(src, 'index.ts'))).helmDeployExecutor, 'function');
  });

  it("watch mode's Nx internals: the file index hashes files, the hash plan lists the backend image's inputs", async () => {
    const { nxWorkspaceInputs } = await import(path.join(src, 'executors/helm-deploy/watch/inputs.ts'));
    const { projectGraphOf } = await import(path.join(src, 'executors/helm-deploy/workspace.ts'));
    const inputs = nxWorkspaceInputs(root);
    assert.match((await inputs.snapshot()).get('package.json') ?? '', /\S/);
    assert.deepEqual([...(await inputs.refresh(['package.json'])).keys()], ['package.json']);
    const images = await inputs.imageInputs(await projectGraphOf({}), ['backend']);
    assert.ok(images.backend.has('apps/backend/Dockerfile'), [...images.backend].slice(0, 5).join(', '));
  });
});
