#!/usr/bin/env bash
# Builds (or finds in the cache) the real node's add-ons: the Traefik ingress controller (binary + one-layer OCI
# image) and kube-router (host binary, only its NetworkPolicy controller is used).
# Output: $TODO_STACK_CACHE/test-cluster/addons-<recipe hash>/{bin,images}; prints that dir.
# The cache is apart from build.sh's (Kubernetes), so adding or bumping an add-on never rebuilds Kubernetes.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
source "$TC_DIR/images/oci-pack.sh"

command -v go >/dev/null || die "Go not found: install Go >= 1.26 (https://go.dev/dl) and put it on PATH"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false

OUT=$(addons_dir)
BIN=$OUT/bin IMAGES=$OUT/images SRC=$TC_CACHE/src
if [[ -f $OUT/.complete ]]; then
  log "cache hit: $OUT"
  echo "$OUT"
  exit 0
fi
mkdir -p "$BIN" "$IMAGES" "$SRC"

# wrapper_module DIR MODULE@VERSION [GO.MOD LINES]: a throwaway main module requiring MODULE, so that its command
# builds with the replace/exclude lines its own go.mod has (go install ignores those of a dependency).
wrapper_module() {
  mkdir -p "$1"
  printf 'module todo-stack.local/test-cluster/%s\n\ngo 1.26\n\nrequire %s %s\n\n%s\n' \
    "$(basename "$1")" "${2%@*}" "${2#*@}" "${3:-}" >"$1/go.mod"
}
# go_module_lines MODULE@VERSION: its go.mod's replace and exclude directives that point at other modules
# (the forks it builds with), never local paths.
go_module_lines() {
  local modfile
  modfile=$(go mod download -json "$1" | sed -n 's/.*"GoMod": "\(.*\)",/\1/p')
  awk '/^(replace|exclude) \($/ {block = $1; print; next}
       block && /^\)/ {print; block = ""; next}
       block {if ($0 !~ /=> \.\.?\//) print; next}
       /^(replace|exclude) / && $0 !~ /=> \.\.?\// {print}' "$modfile"
}

build_traefik() {
  [[ -x $BIN/traefik ]] && return
  log "building Traefik $TRAEFIK_VERSION (cold: the largest Go build after Kubernetes)"
  local dir=$SRC/traefik-$TRAEFIK_VERSION p=github.com/traefik/traefik/v3
  wrapper_module "$dir" "$p@$TRAEFIK_VERSION" "$(go_module_lines "$p@$TRAEFIK_VERSION")"
  (cd "$dir" && go build -mod=mod -trimpath -o "$BIN/traefik" \
    -ldflags="-s -w -X $p/pkg/version.Version=$TRAEFIK_VERSION" "$p/cmd/traefik")
}

build_kube_router() {
  [[ -x $BIN/kube-router ]] && return
  log "building kube-router $KUBE_ROUTER_VERSION"
  local dir=$SRC/kube-router-$KUBE_ROUTER_VERSION p=github.com/cloudnativelabs/kube-router/v2
  wrapper_module "$dir" "$p@$KUBE_ROUTER_VERSION" "$(go_module_lines "$p@$KUBE_ROUTER_VERSION")"
  (cd "$dir" && go build -mod=mod -trimpath -o "$BIN/kube-router" \
    -ldflags="-s -w -X $p/pkg/version.Version=$KUBE_ROUTER_VERSION" "$p/cmd/kube-router")
}

build_traefik_image() {
  [[ -f $IMAGES/traefik.tar ]] && return
  log "building $TRAEFIK_IMAGE"
  local root
  root=$(mktemp -d)
  install -m 0755 "$BIN/traefik" "$root/traefik"
  mkdir -m 1777 "$root/tmp"
  oci_pack "$IMAGES/traefik.tar" "$TRAEFIK_IMAGE" "$root" '"Entrypoint":["/traefik"],"User":"65532:65532"'
  rm -rf "$root"
}

start=$SECONDS
build_kube_router
log "kube-router built after $((SECONDS - start))s"
build_traefik
build_traefik_image
touch "$OUT/.complete"
prune_builds addons "$OUT"
log "add-ons built in $((SECONDS - start))s: $OUT"
echo "$OUT"
