#!/usr/bin/env bash
# Builds (or finds in the cache) the node's image registry: distribution/distribution's `registry` command from
# the Go module proxy. A cache of its own keyed by the version (registry-<version>/bin/registry), apart from
# addons/build.sh's, so that the registry never rebuilds Traefik or kube-router. Prints the binary's path.
set -euo pipefail
source "$(dirname "$0")/../../lib.sh"
source "$(dirname "$0")/registry.sh"

command -v go >/dev/null || die "Go not found: install Go >= 1.26 (https://go.dev/dl) and put it on PATH"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false

BIN=$(registry_bin)
if [[ -x $BIN ]]; then
  log "cache hit: $BIN"
  echo "$BIN"
  exit 0
fi
start=$SECONDS
log "building the registry (distribution $REGISTRY_VERSION)"
# go install MODULE@VERSION honours no replace directive; distribution v3's go.mod has none, so this is its build.
GOBIN=$(dirname "$BIN").tmp go install -trimpath \
  -ldflags="-s -w -X github.com/distribution/distribution/v3/version.version=$REGISTRY_VERSION" \
  "github.com/distribution/distribution/v3/cmd/registry@$REGISTRY_VERSION"
mkdir -p "$(dirname "$BIN")"
mv "$(dirname "$BIN").tmp/registry" "$BIN"
rmdir "$(dirname "$BIN").tmp"
for old in "$TC_CACHE"/registry-*; do # builds of other versions
  [[ $old == "$(dirname "$(dirname "$BIN")")" ]] || { log "removing the outdated registry build $old"; rm -rf "$old"; }
done
log "registry built in $((SECONDS - start))s: $BIN"
echo "$BIN"
