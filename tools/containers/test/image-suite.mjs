// @ts-check
/** The checks every app image must pass (SPEC §6), run against a real container. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request, waitFor } from '@todo-stack/testing';
import {
  appLayerBytes,
  docker,
  dockerResult,
  inspectContainer,
  inspectImage,
  listFiles,
  megabytes,
  publishedPort,
  uniqueName,
} from './docker.mjs';

/**
 * @typedef {object} ImageSpec
 * @property {string} app             e.g. "backend"
 * @property {string} ref             image under test
 * @property {string} baseRef         the BASE_IMAGE it was built on (for the app-layer size)
 * @property {number} port            container port
 * @property {string} healthPath      liveness path
 * @property {Record<string, string>} env  environment to start it with
 * @property {string[]} tmpfs         writable mounts it needs under --read-only
 * @property {number} budgetMB        SPEC §6 app-layer budget
 * @property {number} totalBudgetMB   size budget of the whole image (base included) on the base it was built on
 * @property {(files: string[]) => void} checkFiles  asserts on the listing of /app
 * @property {number[]} [stopExitCodes] exit codes of a graceful stop on SIGTERM (default [0])
 */

/** Paths that must never be in an image (`app: true`: outside node_modules, i.e. the project's own files). */
const FORBIDDEN = [
  { pattern: /(^|\/)\.env(\.|$)/, why: '.env files' },
  { pattern: /\.map$/, why: 'source maps' },
  { pattern: /(?<!\.d)\.tsx?$/, why: 'TypeScript sources', app: true },
  { pattern: /(^|\/)(test|tests|__tests__|spec)\/|\.(test|spec)\.[cm]?[jt]sx?$/, why: 'tests', app: true },
  { pattern: /(^|\/)tsconfig[^/]*\.json$/, why: 'TypeScript configuration', app: true },
  // @swc/helpers is a runtime dependency of Next.js (its compiled interop helpers); the rest of @swc is build tooling.
  {
    pattern: /(^|\/)node_modules\/(typescript|jest|eslint|@nx|nx|@swc\/(?!helpers\/)|esbuild|drizzle-kit|@types)\//,
    why: 'dev dependencies',
  },
];

/** Figures the suites print at the end (the lead copies them into docs/benchmarks.md). */
export const figures = /** @type {Record<string, string>} */ ({});

/** @param {ImageSpec} spec */
export function describeImage(spec) {
  describe(`${spec.app} image ${spec.ref}`, () => {
    const name = uniqueName(spec.app);
    /** @type {number} */ let hostPort;
    /** @type {any} */ let image;

    before(async () => {
      image = await inspectImage(spec.ref);
      const started = Date.now();
      await docker([
        'run',
        '--detach',
        '--name',
        name,
        '--label',
        'todo-stack.test=containers',
        '--read-only',
        ...spec.tmpfs.flatMap((mount) => ['--tmpfs', mount]),
        // The image's own HEALTHCHECK command, polled every second instead of its production interval.
        '--health-interval',
        '1s',
        '--health-start-period',
        '30s',
        '--publish',
        `127.0.0.1::${spec.port}`,
        ...Object.entries(spec.env).flatMap(([key, value]) => ['--env', `${key}=${value}`]),
        spec.ref,
      ]);
      hostPort = await publishedPort(name, spec.port);
      await waitFor(
        async () =>
          (await request(`http://127.0.0.1:${hostPort}${spec.healthPath}`, { timeoutMs: 1_000 })).status === 200,
        { timeoutMs: 15_000, what: `${spec.healthPath}` },
      );
      figures[`${spec.app}: start → ${spec.healthPath} 200`] = `${Date.now() - started} ms`;
    });

    after(async () => {
      await dockerResult(['rm', '--force', '--volumes', name]);
    });

    test(`answers ${spec.healthPath} and becomes healthy through its HEALTHCHECK`, async () => {
      const res = await request(`http://127.0.0.1:${hostPort}${spec.healthPath}`);
      assert.equal(res.status, 200);
      assert.ok(image.Config.Healthcheck?.Test?.length, 'the image declares a HEALTHCHECK');
      const started = Date.now();
      await waitFor(async () => (await inspectContainer(name)).State.Health?.Status === 'healthy', {
        timeoutMs: 20_000,
        what: 'Health.Status healthy',
      });
      figures[`${spec.app}: → healthy (HEALTHCHECK, 1 s interval) after /health`] = `${Date.now() - started} ms`;
    });

    test('runs as the numeric non-root user 10001:10001', async () => {
      assert.equal(image.Config.User, '10001:10001');
      assert.equal(
        await docker(['exec', name, 'node', '-e', 'process.stdout.write(`${process.getuid()}:${process.getgid()}`)']),
        '10001:10001',
      );
    });

    test('works with a read-only root file system (only the tmpfs mounts are writable)', async () => {
      assert.equal((await inspectContainer(name)).HostConfig.ReadonlyRootfs, true);
      const write = await dockerResult(['exec', name, 'node', '-e', "require('fs').writeFileSync('/app/probe','x')"]);
      assert.notEqual(write.code, 0, 'writing under /app must fail');
      assert.match(write.stderr, /EROFS|EACCES/);
      const tmp = await dockerResult(['exec', name, 'node', '-e', "require('fs').writeFileSync('/tmp/probe','x')"]);
      assert.equal(tmp.code, 0, tmp.stderr);
    });

    test('carries the OCI labels and runs production defaults', () => {
      const labels = image.Config.Labels ?? {};
      for (const key of ['title', 'source', 'revision', 'version', 'licenses']) {
        assert.ok(labels[`org.opencontainers.image.${key}`], `label org.opencontainers.image.${key}`);
      }
      assert.equal(image.Config.WorkingDir, '/app');
      assert.ok(image.Config.Env.includes('NODE_ENV=production'));
      assert.equal(image.Config.Cmd[0], 'node', 'exec-form CMD: node is PID 1 and gets SIGTERM');
    });

    test('contains only the runtime files under /app', async () => {
      const files = await listFiles(spec.ref, '/app');
      for (const { pattern, why, app } of FORBIDDEN) {
        const found = files.filter((file) => pattern.test(file) && !(app && /(^|\/)node_modules\//.test(file)));
        assert.deepEqual(found, [], `no ${why} in the image`);
      }
      spec.checkFiles(files);
      figures[`${spec.app}: files under /app`] = String(files.filter((f) => !f.endsWith('/')).length);
    });

    test(`adds at most ${spec.budgetMB} MB over its base image`, async () => {
      const bytes = await appLayerBytes(spec.ref, spec.baseRef);
      figures[`${spec.app}: app layers (image − base)`] = `${megabytes(bytes)} MB (budget ${spec.budgetMB} MB)`;
      assert.ok(bytes <= spec.budgetMB * 1e6, `app layers are ${megabytes(bytes)} MB`);
    });

    test(`is under ${spec.totalBudgetMB} MB in total, base included`, async () => {
      const base = await inspectImage(spec.baseRef);
      figures[`${spec.app}: image size`] =
        `${megabytes(image.Size)} MB (budget ${spec.totalBudgetMB} MB; base ${megabytes(base.Size)} MB)`;
      assert.ok(
        image.Size < spec.totalBudgetMB * 1e6,
        `${spec.ref} is ${megabytes(image.Size)} MB, of which ${megabytes(base.Size)} MB are its base ${spec.baseRef}`,
      );
    });

    // Last: it stops the container.
    test('stops promptly and cleanly on SIGTERM', async () => {
      const started = Date.now();
      await docker(['stop', '--time', '10', name]);
      const elapsed = Date.now() - started;
      const state = (await inspectContainer(name)).State;
      figures[`${spec.app}: docker stop (SIGTERM) → exited`] = `${elapsed} ms`;
      assert.ok((spec.stopExitCodes ?? [0]).includes(state.ExitCode), `exit code ${state.ExitCode} after SIGTERM`);
      assert.ok(elapsed < 5_000, `stopped in ${elapsed} ms`);
    });
  });
}

/** Prints the collected figures (for docs/benchmarks.md). */
export function printFigures() {
  after(() => {
    const lines = Object.entries(figures).map(([key, value]) => `  ${key}: ${value}`);
    if (lines.length) process.stdout.write(`\nfigures:\n${lines.join('\n')}\n`);
  });
}
