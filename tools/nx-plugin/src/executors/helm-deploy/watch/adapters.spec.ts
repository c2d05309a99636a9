import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { until } from '../testing/fake-spawn.ts';
import { watchFiles } from './file-watcher.ts';
import { processSpawner } from './processes.ts';

describe('processSpawner (real child processes)', () => {
  it('hands over stdout and stderr lines, and reports the exit code', async () => {
    const lines: string[] = [];
    const child = processSpawner(tmpdir())(
      process.execPath,
      ['-e', 'console.log("one\\ntwo"); console.error("three"); process.exit(3)'],
      (line) => lines.push(line),
    );
    await expect(child.exited).resolves.toBe(3);
    expect(lines.sort()).toEqual(['one', 'three', 'two']);
  });

  it('stop() ends a process that would run forever', async () => {
    const child = processSpawner(tmpdir())(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], () => undefined);
    child.stop();
    await expect(child.exited).resolves.toBe(128 + 15);
  });

  it('a command that does not exist exits 127 with the reason', async () => {
    const lines: string[] = [];
    const child = processSpawner(tmpdir())('no-such-command-for-watch', [], (line) => lines.push(line));
    await expect(child.exited).resolves.toBe(127);
    expect(lines.join('\n')).toMatch(/ENOENT/);
  });
});

describe('watchFiles (@parcel/watcher)', () => {
  let root: string;
  beforeEach(() => {
    root = realpathSync(mkdtempSync(path.join(tmpdir(), 'watch-files-')));
    mkdirSync(path.join(root, 'apps/backend/src'), { recursive: true });
    mkdirSync(path.join(root, 'apps/frontend/.next'), { recursive: true });
    mkdirSync(path.join(root, 'node_modules/x'), { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("leaves out the files git ignores (a build's generated files outside build folders)", async () => {
    execFileSync('git', ['init', '-q'], { cwd: root });
    writeFileSync(path.join(root, 'apps/frontend/.gitignore'), 'next-env.d.ts\n');
    writeFileSync(path.join(root, '.gitignore'), '*.local.yaml\n');
    const seen = new Set<string>();
    const keep = ['./values.local.yaml']; // a values file of the deploy, git-ignored: still an edit
    const watcher = await watchFiles(root, (files) => files.forEach((file) => seen.add(file)), keep);
    try {
      writeFileSync(path.join(root, 'apps/frontend/next-env.d.ts'), 'x');
      writeFileSync(path.join(root, 'other.local.yaml'), 'x');
      writeFileSync(path.join(root, 'values.local.yaml'), 'x');
      writeFileSync(path.join(root, 'apps/backend/src/main.ts'), 'x');
      await until(() => seen.has('apps/backend/src/main.ts'), 'the change of apps/backend/src/main.ts');
      expect([...seen].sort()).toEqual(['apps/backend/src/main.ts', 'values.local.yaml']);
    } finally {
      await watcher.close();
    }
  });

  it('reports workspace-relative paths of changes, not those in build outputs or node_modules', async () => {
    const seen = new Set<string>();
    const watcher = await watchFiles(root, (files) => files.forEach((file) => seen.add(file)));
    try {
      writeFileSync(path.join(root, 'node_modules/x/index.js'), 'x');
      writeFileSync(path.join(root, 'apps/frontend/.next/build.js'), 'x');
      writeFileSync(path.join(root, 'apps/backend/src/main.ts'), 'x');
      await until(() => seen.has('apps/backend/src/main.ts'), 'the change of apps/backend/src/main.ts');
      expect([...seen]).toEqual(['apps/backend/src/main.ts']);
    } finally {
      await watcher.close();
    }
  });
});
