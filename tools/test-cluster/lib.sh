# Shared settings and helpers for the test cluster scripts. Sourced, never run.
# shellcheck disable=SC2034 # the settings are used by the scripts that source this file
# shellcheck shell=bash

source "$(dirname "${BASH_SOURCE[0]}")/versions.sh"
source "$(dirname "${BASH_SOURCE[0]}")/addons/versions.sh"
source "$(dirname "${BASH_SOURCE[0]}")/addons/registry/registry.sh"
source "$(dirname "${BASH_SOURCE[0]}")/addons/metrics-server/metrics-server.sh"

# --- Locations ---------------------------------------------------------------------------------
TC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TC_CACHE=${TODO_STACK_CACHE:-$HOME/.cache/todo-stack}/test-cluster
TC_STATE=${TEST_CLUSTER_STATE:-/var/lib/todo-test-cluster} # etcd data, certs, kubeconfig, logs
TC_RUN=/run/todo-test-cluster                                # sockets and pid files
[[ $TC_STATE == /*/* ]] || { echo "TEST_CLUSTER_STATE must be an absolute path below /: $TC_STATE" >&2; exit 1; }
TC_NAME=todo-test-cluster

# --- Network (ports in the 16xxx range this project owns) --------------------------------------
APISERVER_PORT=16443
ETCD_CLIENT_PORT=16379
ETCD_PEER_PORT=16380
KUBELET_PORT=16250
KUBELET_HEALTHZ_PORT=16248
KCM_PORT=16257
SCHEDULER_PORT=16259
PROXY_HEALTHZ_PORT=16256
PROXY_METRICS_PORT=16249
KWOK_PORT=16247
KUBE_ROUTER_HEALTH_PORT=16244
SERVICE_CIDR=10.96.0.0/16
CLUSTER_DNS=10.96.0.10
POD_CIDR=10.244.0.0/16
CNI_BRIDGE=tcbr0
NODE_NAME=todo-node
KWOK_NODE_NAME=todo-kwok-node
# The front door (up.sh --ingress) is Minikube's: deploy/front-door/traefik.yaml, Traefik serving the Gateway API
# (GatewayClass `traefik`, after the CRDs of tools/gateway-api/standard-install.sh) and Ingresses (the default
# IngressClass `traefik`) from namespace `traefik`, so the chart's defaults (networkPolicy.gatewayNamespace,
# ingressControllerNamespace) apply unchanged.
INGRESS_CLASS=traefik
INGRESS_NAMESPACE=traefik

# Go's official installer puts it here, and not always on PATH.
if ! command -v go >/dev/null && [[ -x /usr/local/go/bin/go ]]; then PATH=/usr/local/go/bin:$PATH; fi

: "${LOG_PREFIX:=test-cluster}"
source "$(dirname "${BASH_SOURCE[0]}")/../shell/common.sh" # log, die, wait_until, the assertions

need_root() {
  [[ $(id -u) -eq 0 ]] || die "run as root (the node needs mounts, iptables and cgroups): sudo $0 $*"
}

# apt_need PKG... installs the Debian packages that are not installed yet.
apt_need() {
  local missing=() p
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
  ((${#missing[@]})) || return 0
  log "installing Debian packages: ${missing[*]}"
  command -v apt-get >/dev/null || die "apt-get not found: install ${missing[*]} yourself"
  local out
  out=$({ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } 2>&1) ||
    die "apt-get install ${missing[*]} failed:"$'\n'"$out"
}

# The build key: versions + the recipe (versions.sh, build.sh, images/) + the Go toolchain.
build_key() {
  { cat "$TC_DIR/versions.sh" "$TC_DIR/build.sh" "$TC_DIR"/images/*; go version 2>/dev/null || true; } | sha256sum | cut -c1-12
}
build_dir() { echo "$TC_CACHE/build-$K8S_VERSION-$(build_key)"; }
# The add-ons' own build key (addons/'s files, images/, Go), so that they never invalidate the Kubernetes build.
# addons/registry/ (its own cache, keyed by its version) is not part of it.
addons_dir() {
  local files
  mapfile -t files < <(find "$TC_DIR/addons" -maxdepth 1 -type f | sort)
  echo "$TC_CACHE/addons-$({ cat "${files[@]}" "$TC_DIR"/images/*; go version 2>/dev/null || true; } | sha256sum | cut -c1-12)"
}

# prune_builds KIND KEEP: removes the cached builds of KIND (build or addons) other than KEEP, the current one: those
# of older versions or recipes.
prune_builds() {
  local old
  for old in "$TC_CACHE/$1"-*; do
    [[ $old == "$2" ]] || { log "removing the outdated $1 $old"; rm -rf "$old"; }
  done
}

# alive NAME: the process started for NAME (pid file in $TC_RUN) still runs, and is that program
# (not another process that got the pid since).
alive() {
  local pid
  pid=$(cat "$TC_RUN/$1.pid" 2>/dev/null) || return 1
  [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == */"$1"* ]]
}

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND (quietly) once a second until it succeeds.
wait_for() {
  local timeout=$1 what=$2 start=$SECONDS
  shift 2
  wait_until "$timeout" quietly "$@" || return 1
  log "$what ready after $((SECONDS - start))s"
}

# kubectl ARGS...: the cluster's own kubectl ($BIN/kubectl; BIN is set by the script) as the cluster's admin.
kubectl() { "$BIN/kubectl" --kubeconfig="$TC_STATE/admin.kubeconfig" "$@"; }

# require_no_cluster: a suite starts its own cluster and tears it down after; one that is already set up belongs to
# another job (the cluster uses fixed ports) or was left by a killed run, and tearing it down is not this suite's call.
require_no_cluster() {
  [[ ! -f $TC_STATE/mode ]] ||
    die "a test cluster ($(<"$TC_STATE/mode") mode) is already set up: another job is using it, or a killed run left it (tools/test-cluster/down.sh removes it)"
}
