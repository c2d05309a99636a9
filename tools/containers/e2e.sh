#!/usr/bin/env bash
# The real-container suites (`npx nx run containers:e2e`, which builds both images first): each app's image, what
# image-refs.mjs prints, and the compose stack with PostgreSQL. Needs a Docker engine (tools/ci/install-docker.sh).
# Images: BACKEND_IMAGE / FRONTEND_IMAGE from the environment, else the ones the apps' `container` targets built;
# NODE_BASE_IMAGE / POSTGRES_IMAGE from the environment, else tools/images/base-images.sh's.
set -euo pipefail
LOG_PREFIX=containers
source "$(dirname "${BASH_SOURCE[0]}")/../shell/common.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

docker info >/dev/null 2>&1 || die "no Docker engine answers: start one (on Debian: bash tools/ci/install-docker.sh)."
set -a
if [[ -z ${NODE_BASE_IMAGE:-} || -z ${POSTGRES_IMAGE:-} ]]; then
  refs=$(tools/images/base-images.sh) || die "tools/images/base-images.sh failed (see above)."
  eval "$refs"
fi
if [[ -z ${BACKEND_IMAGE:-} || -z ${FRONTEND_IMAGE:-} ]]; then
  refs=$(node tools/containers/image-refs.mjs backend frontend) ||
    die "no backend or frontend image (see above): run npx nx run containers:e2e, which builds them first."
  eval "$refs"
fi
set +a
log "images: $BACKEND_IMAGE, $FRONTEND_IMAGE (base $NODE_BASE_IMAGE), $POSTGRES_IMAGE"
# One suite at a time: they start containers and time them on a 2-core machine.
node --test --test-concurrency=1 --test-reporter=spec tools/containers/test/{backend,frontend,image-refs,compose}.test.mjs
