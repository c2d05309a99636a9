#!/usr/bin/env bash
# Builds (or finds in the cache) metrics-server from the Go module proxy (sigs.k8s.io/metrics-server, cmd/metrics-server,
# its version stamped as upstream's Makefile does) and its image: FROM scratch + the static binary, USER 65534, as
# upstream's. A cache of its own (metrics-server.sh's metrics_server_dir), apart from addons/build.sh's, so that it never
# rebuilds Traefik or kube-router.
#   build.sh            the OCI archive the test cluster's containerd imports (up.sh --metrics-server); prints the cache dir
#   build.sh --docker   also the image in the local Docker daemon (Minikube's addon: --images/--registries); prints its ref
set -euo pipefail
source "$(dirname "$0")/../../lib.sh"
# shellcheck source=../../images/oci-pack.sh
source "$TC_DIR/images/oci-pack.sh"

docker=0
case ${1:-} in --docker) docker=1 ;; '') ;; *) die "usage: $0 [--docker]" ;; esac
command -v go >/dev/null || die "Go not found: install Go >= 1.26 (https://go.dev/dl) and put it on PATH"
export GOTOOLCHAIN=local

OUT=$(metrics_server_dir)
if [[ -f $OUT/metrics-server.tar ]]; then
  log "cache hit: $OUT"
else
  start=$SECONDS
  mkdir -p "$OUT/tools"
  # shellcheck source=../../../helm/go-tools.sh
  source "$TC_DIR/../helm/go-tools.sh" "$OUT" # go_tool
  # Its go.mod has no replace directive: `go install module@version` is its release build (-mod=readonly there).
  bin=$(go_tool metrics-server sigs.k8s.io/metrics-server/cmd/metrics-server "$METRICS_SERVER_VERSION" \
    "-X k8s.io/client-go/pkg/version.gitVersion=$METRICS_SERVER_VERSION -X k8s.io/client-go/pkg/version.gitTreeState=clean")/metrics-server
  root=$(mktemp -d)
  install -m 0755 "$bin" "$root/metrics-server"
  oci_pack "$OUT/metrics-server.tar" "$METRICS_SERVER_IMAGE" "$root" '"Entrypoint":["/metrics-server"],"User":"65534"'
  rm -rf "$root"
  for old in "$TC_CACHE"/metrics-server-*; do # other versions or recipes
    [[ $old == "$OUT" ]] || { log "removing the outdated metrics-server build $old"; rm -rf "$old"; }
  done
  log "metrics-server $METRICS_SERVER_VERSION built in $((SECONDS - start))s: $OUT"
fi
((docker)) || { echo "$OUT"; exit 0; }

# Docker 20.10 cannot `docker load` an OCI layout: the same files through a Dockerfile, labelled with the build's key.
key=${OUT##*-}
if [[ $(docker image inspect -f '{{ index .Config.Labels "todo-stack.build" }}' "$METRICS_SERVER_IMAGE" 2>/dev/null) != "$key" ]]; then
  ctx=$(mktemp -d)
  install -m 0755 "$OUT/tools/metrics-server-$METRICS_SERVER_VERSION-$(go env GOOS)-$(go env GOARCH)/metrics-server" "$ctx/metrics-server"
  printf 'FROM scratch\nCOPY metrics-server /\nUSER 65534\nENTRYPOINT ["/metrics-server"]\nLABEL todo-stack.build=%s org.opencontainers.image.version=%s\n' \
    "$key" "$METRICS_SERVER_VERSION" >"$ctx/Dockerfile"
  docker build -q -t "$METRICS_SERVER_IMAGE" "$ctx" >/dev/null || { rm -rf "$ctx"; die "docker build of $METRICS_SERVER_IMAGE failed"; }
  rm -rf "$ctx"
  log "Docker image $METRICS_SERVER_IMAGE"
fi
echo "$METRICS_SERVER_IMAGE"
