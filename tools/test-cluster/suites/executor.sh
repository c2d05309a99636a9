#!/usr/bin/env bash
# The deploy executor for real (`npx nx run test-cluster:executor`). Starts the real-node test cluster (tools/test-cluster) and runs
# tools/test-cluster/test/executor.test.mjs, which runs the user's command against it:
#   npx nx run deploy:minikube --kubeContext=current --loadCommand="tools/test-cluster/load-image.sh {ref}"
# (plus PostgreSQL as an extra image, since the node pulls nothing): first deploy, no-op re-run, frontend-only change,
# and the diagnosis of a missing image and of a crashing backend. Then tools/test-cluster/test/watch.test.mjs: the
# inner loop (--watch --transport=registry, the node's registry of up.sh --registry) in a scratch clone: a backend
# edit served, a test-file edit and a no-op save roll nothing. Then tools/test-cluster/test/live-update.test.mjs: --live
# (the pods run the scratch workspace by hostPath; edits answer without a rollout). The cluster is torn down on exit.
#   bash tools/test-cluster/suites/executor.sh      (as root; under `flock /work/test-cluster.lock` where several jobs share
#                                         the machine: the test cluster uses fixed ports)
# Env: NODE_BASE_IMAGE and POSTGRES_IMAGE (tools/images/base-images.sh; built or loaded from its cache if unset).
set -euo pipefail

LOG_PREFIX=cluster-deploy
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" # log, die, require_no_cluster (tools/shell/common.sh)
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
[[ $(id -u) -eq 0 ]] || die "run as root: the test cluster needs mounts, iptables and cgroups."
[[ -x node_modules/.bin/nx ]] || die "node_modules is missing: run npm ci first."
# No daemon, as CI: the plugins in the nx process, not a worker each (NX_ISOLATE_PLUGINS, see .ci/run).
export NX_DAEMON=false NX_ISOLATE_PLUGINS=false NX_TUI=false NX_NO_CLOUD=true
start=$SECONDS

eval "$(tools/helm/install-helm.sh --env)"
bin=$(tools/test-cluster/build.sh)/bin
if [[ -z ${NODE_BASE_IMAGE:-} || -z ${POSTGRES_IMAGE:-} ]]; then
  docker info >/dev/null 2>&1 || bash tools/ci/install-docker.sh >&2
  eval "$(tools/images/base-images.sh)"
fi
# The apps' container targets build on the local Node base, as in tools/ci/containers.sh (Nx cache hits after it).
export INPUT_BUILD_ARGS="BASE_IMAGE=$NODE_BASE_IMAGE" POSTGRES_IMAGE

require_no_cluster
eval "$(tools/test-cluster/up.sh --registry)"
trap 'tools/test-cluster/down.sh >&2' EXIT
# The executor finds kubectl and helm on PATH, as on a laptop: the cluster's own kubectl first.
export PATH="$bin:$PATH" EXECUTOR_CLUSTER_TEST=1
echo "cluster-deploy: cluster up after $((SECONDS - start))s; context $(kubectl config current-context)"
node --test --test-concurrency=1 --test-reporter=spec tools/test-cluster/test/executor.test.mjs
echo "cluster-deploy: executor tests done after $((SECONDS - start))s"
WATCH_CLUSTER_TEST=1 node --test --test-reporter=spec tools/test-cluster/test/watch.test.mjs
echo "cluster-deploy: watch tests done after $((SECONDS - start))s"
LIVE_CLUSTER_TEST=1 node --test --test-reporter=spec tools/test-cluster/test/live-update.test.mjs
echo "cluster-deploy: done in $((SECONDS - start))s"
