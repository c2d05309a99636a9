#!/usr/bin/env bash
# The Helm chart deploy/helm/todo-stack on a real Kubernetes built from source (tools/test-cluster): the suites behind
# `npx nx run test-cluster:kwok` (mode kwok) and `npx nx run test-cluster:scenarios` (mode node).
#
#   bash tools/test-cluster/suites/chart.sh [kwok|node|all]        (default: all; as root, like tools/test-cluster)
#
# kwok  Control plane + kwok fake node (`up.sh --kwok`). Every object goes through the real API server: server-side
#       validation, admission, PodSecurity `restricted` on the namespace. helm install --wait → upgrade (backend
#       replicas 1→3 and a config change, which must roll the pods through the checksum/config annotation) → helm test
#       → rollback → uninstall, with kubectl assertions after each step. kwok completes Job pods (the migration hook)
#       and bare restartPolicy=Never pods (helm test hooks) at once: they prove admission and scheduling, not behaviour.
# node  Real node (`up.sh --ingress --network-policies --metrics-server`: containerd, kubelet, kube-proxy, CoreDNS,
#       local-path storage, the Gateway API CRDs, Traefik serving the GatewayClass and IngressClass `traefik`, kube-router
#       enforcing NetworkPolicies, metrics-server for the HPAs). The backend, PostgreSQL
#       (built from Debian packages) and the frontend are loaded into the node and installed
#       with pullPolicy Never and networkPolicy.enabled=true; then `helm test` and the scenarios of
#       tools/test-cluster/test/*.test.mjs (node:test: chart, faults, Gateway, HPA, Ingress, NetworkPolicies); after the uninstall,
#       values-prod.yaml with an existing Secret and an "external" PostgreSQL (tools/test-cluster/test/prod/).
#
# Images: BACKEND_IMAGE / FRONTEND_IMAGE / POSTGRES_IMAGE from the environment, else the apps' images the Nx targets
# `test-cluster:kwok` and `test-cluster:scenarios` depend on (read with tools/containers/image-refs.mjs); a missing image fails the suite.
# The cluster is torn down (tools/test-cluster/down.sh) on exit, whatever happens. Prints timings; ends with
# "cluster: N passed, N failed".
set -euo pipefail

LOG_PREFIX=cluster
# The test cluster's settings (TC_STATE, HELPER_IMAGE, ...) and its kubectl; log, die, step and the assertions.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
ROOT=$PWD
mode=${1:-all}
case $mode in kwok | node | all) ;; *) echo "usage: $0 [kwok|node|all]" >&2 && exit 2 ;; esac

[[ $(id -u) -eq 0 ]] || die "run as root: the test cluster needs mounts, iptables and cgroups."
[[ -x node_modules/.bin/nx ]] || die "node_modules is missing: run npm ci first."
require_no_cluster

NS=todo-ci
RELEASE=todo
CHART=deploy/helm/todo-stack
TC=tools/test-cluster
export NX_TUI=false NX_DAEMON=${NX_DAEMON:-false}

WORK=$(mktemp -d)
CLUSTER_UP=0
cleanup() {
  local rc=$?
  if ((CLUSTER_UP)); then
    if ((rc != 0)); then
      log "failure: state of namespace $NS"
      kubectl -n "$NS" get all,pvc,events 2>&1 | tail -n 60 >&2 || true
      log "failure: last lines of the add-ons' logs"
      tail -n 25 "$TC_STATE"/logs/{kube-router,traefik}.log >&2 2>/dev/null || true
    fi
    log "tearing the cluster down"
    "$TC/down.sh" >&2 || log "down.sh failed (see above)"
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
# cluster_up UP_ARGS...: starts the test cluster (tools/test-cluster/up.sh) and uses it; cleanup tears it down.
cluster_up() {
  local env
  CLUSTER_UP=1 # from here on, a failure tears down whatever up.sh started
  env=$("$TC/up.sh" "$@") || die "$TC/up.sh $* failed (see above)."
  eval "$env"
}
cluster_down() {
  "$TC/down.sh" >&2
  CLUSTER_UP=0
}

# --- Tools and images --------------------------------------------------------------------------------------------
tools_start=$SECONDS
helm_env=$(tools/helm/install-helm.sh --env) || die "tools/helm/install-helm.sh failed"
eval "$helm_env"
BIN=$("$TC/build.sh") || die "$TC/build.sh failed"
BIN=$BIN/bin # kubectl (lib.sh) runs $BIN/kubectl
export KUBECONFIG=$TC_STATE/admin.kubeconfig

if [[ -z ${POSTGRES_IMAGE:-} || -z ${NODE_BASE_IMAGE:-} ]]; then
  bash tools/ci/install-docker.sh >&2
  refs=$(tools/images/base-images.sh) || die "tools/images/base-images.sh failed"
  eval "$refs"
fi
# The apps' images: the ones the targets this suite depends on built (`nx run test-cluster:scenarios` builds them first,
# Nx cache hits when nothing changed). Every suite needs both (their tests fail without them, never skip).
if [[ -z ${BACKEND_IMAGE:-} || -z ${FRONTEND_IMAGE:-} ]]; then
  refs=$(node tools/containers/image-refs.mjs backend frontend) ||
    die "no backend or frontend image (see above): run this suite as npx nx run test-cluster:scenarios (or :kwok), which builds them first."
  eval "$refs"
fi
: "${BACKEND_IMAGE:?}" "${POSTGRES_IMAGE:?}" "${FRONTEND_IMAGE:?}"
log "tools and images ($((SECONDS - tools_start))s): $(helm version --template '{{ .Version }}'), kubectl $("$BIN/kubectl" version --client -o json | jq -r .clientVersion.gitVersion)"
log "images: backend $BACKEND_IMAGE, postgresql $POSTGRES_IMAGE, frontend $FRONTEND_IMAGE"

# The release's values, namespace and queries; the two stages.
source "$ROOT/tools/test-cluster/suites/chart/release.sh"
source "$ROOT/tools/test-cluster/suites/chart/kwok.sh"
source "$ROOT/tools/test-cluster/suites/chart/node.sh"

[[ $mode == node ]] || stage_kwok
[[ $mode == kwok ]] || stage_node
steps_summary
