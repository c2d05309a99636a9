# metrics-server (up.sh --metrics-server): settings. Sourced by lib.sh, never run.
# shellcheck shell=bash disable=SC2034
# The resource metrics API (metrics.k8s.io) that HorizontalPodAutoscalers and `kubectl top` read: the release
# Minikube's metrics-server addon runs, built from its Go module (sigs.k8s.io/metrics-server) by build.sh.
METRICS_SERVER_VERSION=v0.8.0
# Upstream's name, so that the same image serves Minikube's addon (minikube addons enable metrics-server --images/--registries).
METRICS_SERVER_IMAGE=registry.k8s.io/metrics-server/metrics-server:$METRICS_SERVER_VERSION

# metrics_server_dir: its build's cache, keyed by the version, the image's name, build.sh, oci_pack and the Go version.
metrics_server_dir() {
  local dir
  dir=$(dirname "${BASH_SOURCE[0]}")
  echo "$TC_CACHE/metrics-server-$METRICS_SERVER_VERSION-$({
    echo "$METRICS_SERVER_IMAGE"
    cat "$dir/build.sh" "$dir/../../images/oci-pack.sh"
    go version 2>/dev/null || true
  } | sha256sum | cut -c1-12)"
}
