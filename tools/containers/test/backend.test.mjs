// @ts-check
// Real-container tests of the backend image. Run by tools/ci/containers.sh (not by `npm test`):
//   BACKEND_IMAGE=todo-backend:nx-… NODE_BASE_IMAGE=… node --test tools/containers/test/backend.test.mjs
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { waitFor } from '@todo-stack/testing';
import { docker, dockerResult, inspectImage, requireEnv, uniqueName } from './docker.mjs';
import { describeImage, figures, printFigures } from './image-suite.mjs';

const ref = requireEnv(
  'BACKEND_IMAGE',
  'run `npx nx run backend:container`, then `eval "$(node tools/containers/image-refs.mjs backend)"`',
);
const baseRef = requireEnv(
  'NODE_BASE_IMAGE',
  'the BASE_IMAGE the image was built on (tools/images/base-images.sh prints it)',
);
const secret = randomBytes(24).toString('base64');

printFigures();

describeImage({
  app: 'backend',
  ref,
  baseRef,
  port: 8000,
  healthPath: '/health',
  // /health needs no database: nothing listens on this address, and the pool connects lazily.
  env: { DATABASE_URL: 'postgres://todo:unused@127.0.0.1:1/todo', BETTER_AUTH_SECRET: secret },
  tmpfs: ['/tmp'],
  budgetMB: 25,
  // The whole image on the minimal base (tools/images/node-base); on the official node:24 slim image it is larger.
  totalBudgetMB: 120,
  checkFiles(files) {
    // Chunks: esbuild's `[name]-[hash].js` beside main.js, code loaded on demand (the OpenTelemetry SDK).
    const unexpected = files.filter(
      (file) => !/^(package\.json|main\.js|[\w-]+-[A-Z0-9]{8}\.js|drizzle\/.*|static\/.*)$/.test(file),
    );
    assert.deepEqual(unexpected, [], 'only package.json, main.js and its chunks, drizzle/ and static/ under /app');
    assert.ok(files.includes('main.js'));
    assert.ok(
      files.some((file) => /^tracing-[A-Z0-9]{8}\.js$/.test(file)),
      'the tracing chunk is in the image',
    );
    assert.ok(
      files.some((file) => /^drizzle\/\d+_.*\.sql$/.test(file)),
      'the migrations are in the image',
    );
    assert.ok(
      !files.some((file) => file.startsWith('node_modules/')),
      'no node_modules: the bundle inlines its dependencies',
    );
  },
});

describe(`backend image ${ref}: configuration errors`, () => {
  test('refuses to start in production without DATABASE_URL and BETTER_AUTH_SECRET, saying what to set', async () => {
    const res = await dockerResult(['run', '--rm', '--network', 'none', ref]);
    assert.equal(res.code, 78);
    assert.match(res.stderr, /BETTER_AUTH_SECRET is required/);
    assert.match(res.stderr, /DATABASE_URL is required/);
  });

  test('has no embedded database: outside production without DATABASE_URL it says to set one', async () => {
    const res = await dockerResult([
      'run',
      '--rm',
      '--network',
      'none',
      '--read-only',
      '--tmpfs',
      '/tmp',
      '--env',
      'NODE_ENV=development',
      '--env',
      'PGLITE_DATA_DIR=/tmp/pglite',
      ref,
    ]);
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /PGlite\) is not installed here\. Set DATABASE_URL/);
  });
});

describe(`backend image ${ref}: memory`, () => {
  test('bounds the V8 heap: a 64 MB old space in NODE_OPTIONS, 4 MB semispaces and no pretenuring in CMD', async () => {
    const { Config } = await inspectImage(ref);
    assert.deepEqual(Config.Cmd, ['node', '--max-semi-space-size=4', '--no-allocation-site-pretenuring', 'main.js']);
    // The image's own node and environment, in a container limited like the chart's default (384 MiB): V8 alone would
    // take about 260 MB of heap there.
    const heapLimit = await docker([
      'run',
      '--rm',
      '--network',
      'none',
      '--memory',
      '384m',
      ref,
      ...Config.Cmd.slice(0, -1),
      '-p',
      'v8.getHeapStatistics().heap_size_limit',
    ]);
    const mb = Number(heapLimit) / 2 ** 20;
    assert.ok(
      mb >= 64 && mb < 80,
      `V8 heap limit ${mb.toFixed(0)} MB: expected the 64 MB old space plus the young generation`,
    );
  });

  /**
   * The idle server's resident memory, in MB, with the image's environment plus `extraEnv`.
   * @param {Record<string, string>} extraEnv
   */
  async function idleRssMB(extraEnv) {
    const name = uniqueName('backend-rss');
    const env = { DATABASE_URL: 'postgres://todo:unused@127.0.0.1:1/todo', BETTER_AUTH_SECRET: secret, ...extraEnv };
    await docker([
      'run',
      '--detach',
      '--name',
      name,
      '--network',
      'none',
      '--read-only',
      '--tmpfs',
      '/tmp',
      ...Object.entries(env).flatMap(([key, value]) => ['--env', `${key}=${value}`]),
      ref,
    ]);
    try {
      await waitFor(async () => /Server listening/.test((await dockerResult(['logs', name])).stdout), {
        timeoutMs: 20_000,
        what: 'the backend to listen',
      });
      const status = await docker(['exec', name, 'node', '-p', "require('fs').readFileSync('/proc/1/status', 'utf8')"]);
      return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]) / 1024;
    } finally {
      await dockerResult(['rm', '--force', name]);
    }
  }

  test('hands the memory of parsing the bundle back: allocations from 16 KB on are mmapped (MALLOC_MMAP_THRESHOLD_)', async () => {
    const { Config } = await inspectImage(ref);
    assert.ok(Config.Env.includes('MALLOC_MMAP_THRESHOLD_=16384'), `the image's environment: ${Config.Env.join(' ')}`);
    // V8 parses the 3 MB module in zone segments of up to 32 KB (27 MB at the peak). Below glibc's default threshold
    // (128 KB) they come from the brk heap, which cannot shrink past what is allocated after them, so the freed
    // parse memory stays resident for the life of the process.
    const shipped = await idleRssMB({});
    const glibcDefault = await idleRssMB({ MALLOC_MMAP_THRESHOLD_: '131072' });
    figures['backend: idle RSS, image env / glibc default mmap threshold'] =
      `${shipped.toFixed(1)} / ${glibcDefault.toFixed(1)} MB`;
    assert.ok(
      shipped < glibcDefault - 10,
      `idle RSS ${shipped.toFixed(1)} MB with the image's threshold vs ${glibcDefault.toFixed(1)} MB with glibc's default`,
    );
  });
});
