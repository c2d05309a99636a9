#!/usr/bin/env bash
# Writes the Gateway API standard-channel install manifest (the CRDs and the safe-upgrades ValidatingAdmissionPolicy,
# what the release's standard-install.yaml holds) from the sigs.k8s.io/gateway-api Go module at GATEWAY_API_VERSION
# (minikube/profile.env; the environment wins), in the order of its config/crd/kustomization.yaml. For machines that
# cannot reach GitHub (CI): the module proxy serves the same files, checksum-verified by go.sum's database.
#   tools/gateway-api/standard-install.sh            prints the path of the manifest, built once into the cache
#   tools/gateway-api/standard-install.sh --crd-dir  prints the module's config/crd/standard directory instead
# TODO_STACK_CACHE overrides the cache dir (default ~/.cache/todo-stack).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../shell/common.sh" # log, die
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

if [[ -z ${GATEWAY_API_VERSION:-} ]]; then
  GATEWAY_API_VERSION="$(sed -n 's/^GATEWAY_API_VERSION=//p' "$root/minikube/profile.env")"
fi
[[ $GATEWAY_API_VERSION =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
  die "GATEWAY_API_VERSION '$GATEWAY_API_VERSION' is not a release version such as v1.6.3 (minikube/profile.env)"
command -v go >/dev/null || PATH="/usr/local/go/bin:$PATH"
command -v go >/dev/null || die "go is not on PATH: it downloads sigs.k8s.io/gateway-api from the Go module proxy"

cache="${TODO_STACK_CACHE:-$HOME/.cache/todo-stack}/gateway-api"
mkdir -p "$cache"
dir="$(cd "$cache" && GOFLAGS=-mod=mod go mod download -json "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[[ -d $dir/config/crd/standard ]] ||
  die "go mod download sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION failed or has no config/crd/standard. Is the Go module proxy reachable? (go env GOPROXY: $(go env GOPROXY))"
if [[ ${1:-} == --crd-dir ]]; then
  printf '%s\n' "$dir/config/crd/standard"
  exit 0
fi

out="$cache/standard-install-$GATEWAY_API_VERSION.yaml"
if [[ ! -s $out ]]; then
  tmp="$(mktemp "$cache/.standard-install.XXXXXX")"
  {
    echo "# Gateway API $GATEWAY_API_VERSION, standard channel: config/crd/kustomization.yaml of the sigs.k8s.io/gateway-api module"
    sed -n 's/^[[:space:]]*-[[:space:]]*\(standard\/.*\.yaml\)[[:space:]]*$/\1/p' "$dir/config/crd/kustomization.yaml" |
      while read -r file; do
        echo "---"
        cat "$dir/config/crd/$file"
      done
  } >"$tmp"
  grep -q '^kind: CustomResourceDefinition' "$tmp" || { rm -f "$tmp"; die "no CRD found through $dir/config/crd/kustomization.yaml"; }
  mv "$tmp" "$out"
fi
printf '%s\n' "$out"
