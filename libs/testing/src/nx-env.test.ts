import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SCRIPTED_NX, scriptedNxEnv } from './nx-env.ts';

test('scriptedNxEnv: this process environment, Nx as CI runs it, then the overrides', () => {
  const env = scriptedNxEnv({ NX_DAEMON: 'true', EXTRA: 'x' });
  assert.equal(env['PATH'], process.env['PATH']);
  assert.equal(env['NX_DAEMON'], 'true');
  assert.equal(env['EXTRA'], 'x');
  assert.equal(env['NX_TUI'], SCRIPTED_NX.NX_TUI);
  assert.equal(scriptedNxEnv()['NX_DAEMON'], 'false');
});
