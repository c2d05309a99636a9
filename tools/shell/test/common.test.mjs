// tools/shell/common.sh, the toolkit every script sources: each helper run in a real bash.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

const COMMON = fileURLToPath(new URL('../common.sh', import.meta.url));

/** Runs SCRIPT in bash after sourcing common.sh (as a script named demo.sh); returns { code, stdout, stderr }. */
function run(script) {
  const result = spawnSync('bash', ['-c', `set -euo pipefail; source "$1"; ${script}`, 'demo.sh', COMMON], {
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('log and die', () => {
  test('log prefixes the message with the script name, on stderr', () => {
    const { code, stdout, stderr } = run('log "hello there"');
    assert.equal(code, 0);
    assert.equal(stdout, '');
    assert.equal(stderr, '[demo] hello there\n');
  });

  test('LOG_PREFIX set before sourcing wins', () => {
    const result = spawnSync('bash', ['-c', 'LOG_PREFIX=minikube; source "$1"; log hi', 'demo.sh', COMMON], {
      encoding: 'utf8',
    });
    assert.equal(result.stderr, '[minikube] hi\n');
  });

  test('die prints an ERROR line and exits 1; nothing after it runs', () => {
    const { code, stdout, stderr } = run('die "docker is missing. Run: bash tools/ci/install-docker.sh"; echo after');
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.equal(stderr, '[demo] ERROR: docker is missing. Run: bash tools/ci/install-docker.sh\n');
  });
});

describe('step', () => {
  test('counts passing steps and ends with the stage line', () => {
    const { code, stdout } = run('step one true; step two true; steps_summary');
    assert.equal(code, 0);
    assert.match(stdout, /^::: demo: one\n::: demo: one ok \(\d+s\)\n::: demo: two\n/);
    assert.match(stdout, /\ndemo: 2 passed, 0 failed \(\d+s\)\n$/);
  });

  test('a failing step stops the stage with "N passed, 1 failed" and exit 1', () => {
    const { code, stdout, stderr } = run('step one true; step two false; step three true');
    assert.equal(code, 1);
    assert.match(stderr, /::: demo: two FAILED after \d+s/);
    assert.match(stdout, /demo: 1 passed, 1 failed\n$/);
    assert.doesNotMatch(stdout, /three/);
  });
});

describe('wait_until', () => {
  test('returns as soon as the condition holds', () => {
    const { code, stdout } = run(
      'n=0; ready() { n=$((n + 1)); ((n >= 3)); }; WAIT_INTERVAL=0.01 wait_until 5 ready; echo "tries $n"',
    );
    assert.equal(code, 0);
    assert.equal(stdout, 'tries 3\n');
  });

  test('fails once the deadline has passed', () => {
    const { stdout } = run('if WAIT_INTERVAL=0.2 wait_until 1 false; then echo met; else echo "timed out"; fi');
    assert.equal(stdout, 'timed out\n');
  });

  test('quietly hides the output of the condition', () => {
    const { stdout, stderr } = run('quietly bash -c "echo out; echo err >&2"');
    assert.equal(stdout + stderr, '');
  });
});

describe('assertions', () => {
  test('check counts, shows a failure reason, and assert_summary prints the standard line', () => {
    const { code, stdout } = run(`
      check "equal" expect_eq a a
      check "different" expect_eq a b
      check "matches" expect_match v24.1.0 '^v24\\.'
      check "changed" expect_changed new old
      check "unchanged" expect_changed same same
      check "fails" expect_fails false
      check "refused" expect_refused 'Invalid value' bash -c 'echo "port: Invalid value: 70000" >&2; exit 1'
      check "accepted" expect_refused 'Invalid value' true
      assert_summary`);
    assert.equal(code, 1);
    assert.match(stdout, /^ {2}ok {3}equal$/m);
    assert.match(stdout, /^ {2}FAIL different\n {7}\| expected 'b', got 'a'$/m);
    assert.match(stdout, /^ {2}FAIL unchanged\n {7}\| 'same' did not change \(was 'same'\)$/m);
    assert.match(stdout, /^ {2}FAIL accepted\n {7}\| accepted, but should have been refused:$/m);
    assert.match(stdout, /\n5 passed, 3 failed\n$/);
  });

  test('assert_summary succeeds when nothing failed', () => {
    const { code, stdout } = run('expect "release" "1 deployed" "1 deployed"; assert_summary');
    assert.equal(code, 0);
    assert.equal(stdout, '  ok   release: 1 deployed\n1 passed, 0 failed\n');
  });

  test('assertions_passed reports failures since its previous call only', () => {
    const { stdout } = run(`
      check a expect_eq 1 2; assertions_passed && echo first-ok || echo first-failed
      check b expect_eq 1 1; assertions_passed && echo second-ok || echo second-failed`);
    assert.match(stdout, /first-failed\n[\s\S]*second-ok\n$/);
  });
});
