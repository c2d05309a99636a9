#!/usr/bin/env bash
# The real Minikube, offline (`npx nx run minikube-node:e2e`, which builds the apps' images first): builds (or finds
# cached) the node image, binaries and images minikube asks for (build.sh here), then runs test/minikube.test.mjs:
# the user's minikube/start.sh with minikube/profile.env and the real minikube CLI
# (tools/nx-plugin/real-minikube/build.sh), the user's `npx nx run deploy:minikube`, and the helpers' life cycle.
# Only CI's differences go through the documented variables, never edits of the scripts:
#   MINIKUBE_START_ARGS
#     --base-image=<the local node image>  no kicbase pull (minikube looks in the local daemon first)
#     --container-runtime=containerd       the node image has no Docker engine (cri-dockerd is not packaged by Debian)
#     --preload=false                      no preload download; binaries and images come from the caches filled here
#     --extra-config=apiserver.enable-aggregator-routing=true
#                                          the API server reaches metrics-server by its pod's address, not its Service's:
#                                          this machine's egress answers every address on port 443 (404), so the API
#                                          server's first, kept-alive connection to the Service, made before kube-proxy
#                                          has its rules, lands there and the metrics API stays unavailable
#     --force                              minikube refuses the docker driver as root, and asks GitHub about v1.35.4
#   TRAEFIK_IMAGE, GATEWAY_API_CRDS        the front door from the test cluster's build and the Go module proxy
#   KUBE_ROUTER_IMAGE                      the profile's CNI (kube-router) on the image built here
#   MINIKUBE_CPUS, MINIKUBE_MEMORY         what this machine has (2 cores), at most the profile's
#   MINIKUBE_LOAD_IMAGES, MINIKUBE_ADDON_IMAGES/REGISTRIES
#                                          metrics-server on the image built here (tools/test-cluster/addons/metrics-server),
#                                          and kube-router's image (its pods pull it again after their first back-off)
# The profile is deleted at the end (and on failure).
#   bash tools/minikube-node/e2e.sh        (as root, Docker running: tools/ci/install-docker.sh)
set -euo pipefail
LOG_PREFIX="minikube-e2e"
source "$(dirname "${BASH_SOURCE[0]}")/../shell/common.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
[[ $(id -u) -eq 0 ]] || die "run as root: building the node image needs mmdebstrap and the Docker daemon."
docker info >/dev/null 2>&1 || die "the Docker daemon does not answer. Run: bash tools/ci/install-docker.sh"
start=$SECONDS

minikube=$(tools/nx-plugin/real-minikube/build.sh)
bin=$(tools/test-cluster/build.sh)/bin
eval "$(tools/helm/install-helm.sh --env)"
refs=$(tools/minikube-node/build.sh)
set -a
eval "$refs"
if [[ -z ${POSTGRES_IMAGE:-} || -z ${NODE_BASE_IMAGE:-} ]]; then eval "$(tools/images/base-images.sh)"; fi
set +a
# The apps' container targets (a nested `nx run deploy:minikube` depends on them) build on the local Node base.
GATEWAY_API_CRDS=$(tools/gateway-api/standard-install.sh)
export INPUT_BUILD_ARGS="BASE_IMAGE=$NODE_BASE_IMAGE" GATEWAY_API_CRDS
log "node image and caches ready after $((SECONDS - start))s: $MINIKUBE_BASE_IMAGE, front door $TRAEFIK_IMAGE"

# minikube and the test cluster's kubectl on PATH, as a user has them (helm is there from install-helm.sh).
tools_dir=$(mktemp -d)
ln -s "$minikube" "$bin/kubectl" "$tools_dir/"
export PATH="$tools_dir:$PATH"
profile_value() { sed -n "s/^$1=//p" minikube/profile.env; }
profile=$(profile_value MINIKUBE_PROFILE)
cleanup() {
  minikube delete -p "$profile" >/dev/null 2>&1 || true
  rm -rf "$tools_dir"
}
trap cleanup EXIT
cpus=$(profile_value MINIKUBE_CPUS)
(($(nproc) >= cpus)) || cpus=$(nproc)
export MINIKUBE_CPUS=${MINIKUBE_CPUS:-$cpus} MINIKUBE_MEMORY=${MINIKUBE_MEMORY:-6144}
export MINIKUBE_START_ARGS="--base-image=$MINIKUBE_BASE_IMAGE --container-runtime=containerd --preload=false \
--extra-config=apiserver.enable-aggregator-routing=true --force"
# The profile's metrics-server addon on the image built here (sigs.k8s.io/metrics-server v0.8.0): minikube's own is
# a digest on registry.k8s.io. minikube reads the addon-images/registries settings from these variables; start.sh
# loads the image into the node right after the start (the addon's pod pulls it at its next retry).
metrics_server_image=$(tools/test-cluster/addons/metrics-server/build.sh --docker)
export MINIKUBE_LOAD_IMAGES="$metrics_server_image $KUBE_ROUTER_IMAGE"
export METRICS_SERVER_IMAGE=$metrics_server_image
export MINIKUBE_ADDON_IMAGES="MetricsServer=${metrics_server_image#registry.k8s.io/}"
export MINIKUBE_ADDON_REGISTRIES="MetricsServer=registry.k8s.io"
export MINIKUBE_E2E=1

node --test --test-reporter=spec tools/minikube-node/test/minikube.test.mjs
log "done in $((SECONDS - start))s"
