# shellcheck shell=bash
# The project's shell toolkit, sourced by every script (the idea of Kubernetes' hack/lib, in one small file):
#   log, die            messages on stderr prefixed with [$LOG_PREFIX] (default: the script's name without .sh);
#                       die's message says what went wrong and what to do about it
#   step, steps_summary named, timed steps of a CI stage: the stage stops at the first failing step and ends with
#                       "<prefix>: N passed, N failed (Ns)"
#   wait_until, quietly wait for a condition with a deadline (never a bare sleep as synchronisation)
#   check, expect_*     assertions, counted; assert_summary ends with the standard "N passed, N failed" line
# Usage (from any script; ShellCheck follows the path):
#   source "$(dirname "${BASH_SOURCE[0]}")/../shell/common.sh"

: "${LOG_PREFIX:=$(basename "$0" .sh)}"

# --- Logging ---------------------------------------------------------------------------------------------------------
log() { printf '[%s] %s\n' "$LOG_PREFIX" "$*" >&2; }
# die MESSAGE: the message, then exit 1. Say what to do: "docker is missing. Run: bash tools/ci/install-docker.sh".
die() {
  printf '[%s] ERROR: %s\n' "$LOG_PREFIX" "$*" >&2
  exit 1
}

# --- Steps -----------------------------------------------------------------------------------------------------------
STEPS_PASSED=0
# step NAME COMMAND...: runs and times one step; on failure prints the stage's result line and exits 1.
step() {
  local name=$1 start=$SECONDS
  shift
  echo "::: $LOG_PREFIX: $name"
  if ! "$@"; then
    echo "::: $LOG_PREFIX: $name FAILED after $((SECONDS - start))s" >&2
    echo "$LOG_PREFIX: $STEPS_PASSED passed, 1 failed"
    exit 1
  fi
  STEPS_PASSED=$((STEPS_PASSED + 1))
  echo "::: $LOG_PREFIX: $name ok ($((SECONDS - start))s)"
}
# steps_summary: the result line of a stage whose steps all passed, with its total time.
steps_summary() { echo "$LOG_PREFIX: $STEPS_PASSED passed, 0 failed (${SECONDS}s)"; }

# --- Waiting ---------------------------------------------------------------------------------------------------------
# wait_until SECONDS COMMAND...: runs COMMAND every WAIT_INTERVAL seconds (default 1) until it succeeds; returns 1
# when SECONDS have passed without success.
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep "${WAIT_INTERVAL:-1}"
  done
}
# quietly COMMAND...: COMMAND without its output (a condition for wait_until).
quietly() { "$@" >/dev/null 2>&1; }

# --- Assertions ------------------------------------------------------------------------------------------------------
ASSERT_PASSED=0
ASSERT_FAILED=0
_ASSERT_FAILED_SEEN=0
# check DESCRIPTION COMMAND...: one assertion. COMMAND must succeed; its output is shown only when it fails.
check() {
  local what=$1 out
  shift
  if out=$("$@" 2>&1); then
    ASSERT_PASSED=$((ASSERT_PASSED + 1))
    printf '  ok   %s\n' "$what"
  else
    ASSERT_FAILED=$((ASSERT_FAILED + 1))
    printf '  FAIL %s\n' "$what"
    [[ -z $out ]] || printf '       | %s\n' "${out//$'\n'/$'\n'       | }" | tail -n 40
  fi
}
# Conditions for check; each says why it failed.
expect_eq() { [[ $1 == "$2" ]] || fail_with "expected '$2', got '$1'"; }
expect_match() { [[ $1 =~ $2 ]] || fail_with "expected to match /$2/, got '$1'"; }
# expect_changed NEW OLD: NEW is set and differs from OLD.
expect_changed() { [[ -n $1 && $1 != "$2" ]] || fail_with "'$1' did not change (was '$2')"; }
# expect_fails COMMAND...: COMMAND fails.
expect_fails() {
  if "$@" >/dev/null 2>&1; then fail_with "expected '$*' to fail"; fi
}
# expect_refused PATTERN COMMAND...: COMMAND fails with an error matching PATTERN (extended regexp).
expect_refused() {
  local pattern=$1 out
  shift
  if out=$("$@" 2>&1); then
    fail_with "accepted, but should have been refused:"$'\n'"$out"
    return
  fi
  grep -Eq -- "$pattern" <<<"$out" || fail_with "refused, but not with /$pattern/:"$'\n'"$out"
}
# fail_with REASON: prints the reason, fails (for a condition that has already failed).
fail_with() {
  printf '%s\n' "$1"
  return 1
}
# expect WHAT ACTUAL WANTED: shorthand for check "WHAT: WANTED" expect_eq ACTUAL WANTED.
expect() { check "$1: $3" expect_eq "$2" "$3"; }
# assertions_passed: true when no assertion failed since the previous call (a step made of several checks).
assertions_passed() {
  local new=$((ASSERT_FAILED - _ASSERT_FAILED_SEEN))
  _ASSERT_FAILED_SEEN=$ASSERT_FAILED
  ((new == 0))
}
# assert_summary: prints "N passed, N failed"; true when none failed.
assert_summary() {
  echo "$ASSERT_PASSED passed, $ASSERT_FAILED failed"
  ((ASSERT_FAILED == 0))
}
