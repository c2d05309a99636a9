// The hand-written suites (a `command` target with inputs of its own, none of its dependencies') are cached by Nx on
// exactly the files their inputs name. A module such a suite loads that is not among them is a change Nx cannot
// see: `nx affected` skips the suite and a warm cache replays its last result. This follows each suite's JS and TS
// files through their static imports (esbuild resolves them as Node would, workspace packages included) and asks
// Nx whether every workspace file reached is an input. Files a suite reads or runs by path (fixtures, shell
// scripts) are not imports, and are not checked here.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { scriptedNxEnv } from '@todo-stack/testing';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));
const nxBin = path.join(root, 'node_modules/nx/dist/bin/nx.js');
/** Code a suite may load; ESLint's configs are the lint targets' own. */
const CODE = /\.(?:[cm]?js|ts)$/;
const LINT_CONFIG = /(?:^|\/)eslint\.config\.[cm]?js$/;

// As .ci/run runs Nx, the graph's plugins in the nx process (faster without the daemon).
const env = scriptedNxEnv({ NX_ISOLATE_PLUGINS: 'false' });
/** `nx ...`'s output; each call computes the project graph (the checks below run two at a time). */
const nx = async (...args) =>
  (await promisify(execFile)(process.execPath, [nxBin, ...args], { cwd: root, env, maxBuffer: 16 << 20 })).stdout;

/** The cached `command` targets whose inputs leave out their dependencies' files (no `^` input). */
async function ownInputSuites() {
  const dir = mkdtempSync(path.join(tmpdir(), 'suite-inputs-'));
  try {
    await nx('graph', `--file=${path.join(dir, 'graph.json')}`);
    const { nodes } = JSON.parse(readFileSync(path.join(dir, 'graph.json'), 'utf8')).graph;
    return Object.entries(nodes)
      .flatMap(([project, { data }]) =>
        Object.entries(data.targets ?? {}).map(([target, config]) => ({ project, target, config })),
      )
      .filter(({ config }) => {
        const inputs = config.inputs ?? [];
        const dependencyInputs = inputs.some((input) =>
          typeof input === 'string' ? input.startsWith('^') : Boolean(input.dependencies),
        );
        return config.executor === 'nx:run-commands' && config.cache && inputs.length > 0 && !dependencyInputs;
      })
      .map(({ project, target }) => `${project}:${target}`)
      .sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every workspace file `entries` load through static imports, themselves included (workspace-relative). */
async function importClosure(entries) {
  const result = await build({
    absWorkingDir: root,
    entryPoints: entries,
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    outdir: 'unused',
    logLevel: 'silent',
    plugins: [
      {
        name: 'packages-outside-the-workspace',
        setup(esbuild) {
          // npm packages are the lockfile's business; workspace packages (@todo-stack/*) are followed.
          esbuild.onResolve({ filter: /^[^./]/ }, ({ path: specifier }) =>
            specifier.startsWith('@todo-stack/') ? undefined : { path: specifier, external: true },
          );
        },
      },
    ],
  });
  return Object.keys(result.metafile.inputs).filter((file) => !file.includes('node_modules/'));
}

const suites = await ownInputSuites();

describe('every module a hand-written suite imports is one of its Nx inputs', { concurrency: 2 }, () => {
  it('finds the suites (the test cluster, the real Minikube and the container suites among them)', () => {
    for (const suite of ['test-cluster:kwok', 'test-cluster:executor', 'minikube-node:e2e', 'containers:e2e']) {
      assert.ok(suites.includes(suite), `${suite} is not among ${suites.join(', ')}`);
    }
  });

  for (const suite of suites) {
    it(suite, async (t) => {
      const inputs = new Set(JSON.parse(await nx('show', 'target', 'inputs', suite, '--json')).files);
      const entries = [...inputs].filter(
        (file) => CODE.test(file) && !file.endsWith('.d.ts') && !LINT_CONFIG.test(file),
      );
      if (entries.length === 0) return t.skip('no JS or TS among its inputs: nothing it could import');
      const missing = (await importClosure(entries)).filter((file) => !inputs.has(file));
      assert.deepEqual(
        missing,
        [],
        `${suite} loads these files, but they are not among its inputs: a change to them would not re-run it`,
      );
    });
  }
});
