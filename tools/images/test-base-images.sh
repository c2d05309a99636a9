#!/usr/bin/env bash
# Tests the base images with a real Docker engine: starts containers and checks what the apps, compose and the chart
# rely on.
#
#   bash tools/images/test-base-images.sh
#
# The images under test are NODE_BASE_IMAGE and POSTGRES_IMAGE when set, else those of tools/images/base-images.sh
# (built or loaded first if needed). Every container, network and volume is named todo-images-test-<pid>-* and is
# removed on exit. Needs openssl on the host (test certificates). Ends with "N passed, N failed"; exits 1 on failure.
# shellcheck disable=SC2016 # single-quoted scripts and SQL are expanded inside the containers, on purpose
set -euo pipefail

IMAGES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly IMAGES_DIR
readonly PREFIX="todo-images-test-$$"
readonly NET="$PREFIX-net"
# How long a fresh PostgreSQL volume may take to initialise and accept connections, and a restart to be ready.
# Generous for a loaded 2-core machine (initdb is CPU-bound: ~4 s idle); the measured times are printed.
readonly PG_INIT_READY_SECONDS=${PG_INIT_READY_SECONDS:-30}
readonly PG_RESTART_READY_SECONDS=${PG_RESTART_READY_SECONDS:-10}

WORK=$(mktemp -d)

source "$IMAGES_DIR/../shell/common.sh"

cleanup() {
  docker ps -aq --filter "name=^$PREFIX-" 2>/dev/null | xargs -r docker rm -f -v >/dev/null 2>&1 || true
  docker volume ls -q --filter "name=^$PREFIX-" 2>/dev/null | xargs -r docker volume rm >/dev/null 2>&1 || true
  docker network rm "$NET" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# check, expect_eq, expect_match, expect_fails, fail_with and assert_summary: tools/shell/common.sh.
milliseconds() { date +%s%3N; }


# The suites: test_node_base IMAGE, test_postgres (POSTGRES_IMAGE).
source "$IMAGES_DIR/test/node-base.sh"
source "$IMAGES_DIR/test/postgres.sh"

main() {
  command -v openssl >/dev/null 2>&1 || die "openssl is needed for the TLS test certificates: apt-get install -y openssl"
  docker info >/dev/null 2>&1 || die "no Docker daemon answers. Run: bash tools/ci/install-docker.sh"
  if [[ -z ${NODE_BASE_IMAGE:-} || -z ${POSTGRES_IMAGE:-} ]]; then
    local line refs
    refs=$("$IMAGES_DIR/base-images.sh" ensure) || die "tools/images/base-images.sh failed (see above)."
    while IFS= read -r line; do
      case $line in
        NODE_BASE_IMAGE=*) : "${NODE_BASE_IMAGE:=${line#*=}}" ;;
        POSTGRES_IMAGE=*) : "${POSTGRES_IMAGE:=${line#*=}}" ;;
      esac
    done <<<"$refs"
  fi
  export POSTGRES_IMAGE

  test_node_base "$NODE_BASE_IMAGE"
  test_postgres

  assert_summary
}

main "$@"
