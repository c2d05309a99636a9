import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WatchedProcess } from './watched-process.ts';

/** A process that prints `lines` (one every 20 ms), then waits until it is stopped. */
const printing = (...lines: string[]) =>
  new WatchedProcess(
    process.execPath,
    [
      '-e',
      `const lines = ${JSON.stringify(lines)};
       let i = 0;
       const timer = setInterval(() => (i < lines.length ? console.log(lines[i++]) : undefined), 20);
       process.on('SIGINT', () => { clearInterval(timer); console.log('stopped'); process.exit(0); });`,
    ],
    { cwd: process.cwd() },
  );

describe('WatchedProcess', () => {
  test('waits for a line after an offset, and Ctrl-C stops it', async () => {
    const watched = printing('starting', '👀 watching', '⚡ changed a.ts');
    assert.equal(await watched.line(/watching/, 0, 10_000), '👀 watching');
    const offset = watched.output.indexOf('👀');
    assert.equal(await watched.line(/^⚡ changed/, offset, 10_000), '⚡ changed a.ts');
    assert.equal(await watched.stop(), 0);
    assert.equal(watched.ended, 'exit 0');
    assert.match(watched.output, /stopped\n$/);
  });

  test('a process that ends without the line fails at once, with its output', async () => {
    const watched = new WatchedProcess(process.execPath, ['-e', 'console.log("no such line"); process.exit(3)'], {
      cwd: process.cwd(),
    });
    await assert.rejects(
      watched.line(/watching/, 0, 60_000),
      /the process ended \(exit 3\) without a line matching \/watching\/:\nno such line/,
    );
  });
});
