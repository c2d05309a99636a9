#!/usr/bin/env bash
# CI stage: the real Minikube, offline. Builds (or finds cached) the node image, binaries and control-plane images
# (tools/minikube-node/build.sh), then starts the user's profile through the user's own script, minikube/start.sh
# with minikube/profile.env, the real minikube CLI (tools/nx-plugin/real-minikube/build.sh) and only CI's extra
# `minikube start` flags in MINIKUBE_START_ARGS:
#   --base-image=<the local node image>  no kicbase pull (minikube looks in the local daemon first)
#   --container-runtime=containerd       the node image has no Docker engine (cri-dockerd is not packaged by Debian)
#   --preload=false                      no preload download; binaries and images come from the caches filled here
#   --cni=bridge                         the default CNI for containerd (kindnet) is an image no one can pull here
#   --force                              minikube refuses the docker driver as root, and asks GitHub about v1.35.4
# and, for now, only the addons whose images are built here (MINIKUBE_ADDONS=storage-provisioner,default-storageclass:
# the profile's ingress and metrics-server need images of ingress-nginx and metrics-server that nothing builds yet).
# Waits for the node to be Ready and prints the time it took.
#   bash tools/ci/minikube.sh          (as root, Docker running: tools/ci/install-docker.sh)
# Env: MINIKUBE_CPUS / MINIKUBE_MEMORY as for start.sh (default here: what this machine has, at most the profile's).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../shell/common.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
[[ $(id -u) -eq 0 ]] || die "run as root: building the node image needs mmdebstrap and the Docker daemon."
docker info >/dev/null 2>&1 || die "the Docker daemon does not answer. Run: bash tools/ci/install-docker.sh"
start=$SECONDS

minikube=$(tools/nx-plugin/real-minikube/build.sh)
bin=$(tools/test-cluster/build.sh)/bin
refs=$(tools/minikube-node/build.sh)
eval "$refs"
echo "$refs"
echo "minikube: node image and caches ready after $((SECONDS - start))s"

# minikube and the test cluster's kubectl on PATH, as a user has them.
tools_dir=$(mktemp -d)
trap 'rm -rf "$tools_dir"' EXIT
ln -s "$minikube" "$bin/kubectl" "$tools_dir/"
export PATH="$tools_dir:$PATH"
profile_value() { sed -n "s/^$1=//p" minikube/profile.env; }
cpus=$(profile_value MINIKUBE_CPUS)
(($(nproc) >= cpus)) || cpus=$(nproc)
export MINIKUBE_CPUS=${MINIKUBE_CPUS:-$cpus} MINIKUBE_MEMORY=${MINIKUBE_MEMORY:-6144}
export MINIKUBE_ADDONS=${MINIKUBE_ADDONS:-storage-provisioner,default-storageclass}
export MINIKUBE_START_ARGS="--base-image=$MINIKUBE_BASE_IMAGE --container-runtime=containerd --preload=false --cni=bridge --force"

started=$SECONDS
minikube/start.sh
profile=$(profile_value MINIKUBE_PROFILE)
kubectl --context "$profile" wait node --all --for=condition=Ready --timeout=300s
echo "minikube: node Ready $((SECONDS - started))s after minikube/start.sh began ($((SECONDS - start))s in all)"
kubectl --context "$profile" get nodes -o wide
