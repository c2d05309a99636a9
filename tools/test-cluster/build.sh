#!/usr/bin/env bash
# Builds (or finds in the cache) every binary and image the test cluster runs:
#   Kubernetes from k8s.io/kubernetes on the Go module proxy, etcd, containerd, kwok, CoreDNS,
#   local-path-provisioner, the pause image and the add-on images.
# Output: $TODO_STACK_CACHE/test-cluster/build-<k8s version>-<recipe hash>/{bin,images}; prints that dir.
# A warm cache (same versions, same recipe, same Go) makes this a no-op.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$TC_DIR/images/oci-pack.sh"

command -v go >/dev/null || die "Go not found: install Go >= 1.26 (https://go.dev/dl) and put it on PATH"
[[ $(go env GOVERSION) =~ ^go1\.(2[6-9]|[3-9][0-9]) ]] || die "Go >= 1.26 needed (kwok $KWOK_VERSION), found $(go env GOVERSION)"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false

OUT=$(build_dir)
BIN=$OUT/bin IMAGES=$OUT/images SRC=$TC_CACHE/src
mkdir -p "$BIN" "$IMAGES" "$SRC"
if [[ -f $OUT/.complete ]]; then
  log "cache hit: $OUT"
  echo "$OUT"
  exit 0
fi
apt_need gcc libc6-dev busybox-static

have() { local f; for f in "$@"; do [[ -x $BIN/$f ]] || return 1; done; }

# wrapper_module DIR MODULE@VERSION [REPLACE_LINES]: a throwaway main module that requires
# MODULE so its commands build with `go build` although its own go.mod uses local replaces.
wrapper_module() {
  local dir=$1 req=$2 replaces=${3:-}
  mkdir -p "$dir"
  printf 'module todo-stack.local/test-cluster/%s\n\ngo 1.26\n\nrequire %s %s\n\nreplace (\n%s)\n' \
    "$(basename "$dir")" "${req%@*}" "${req#*@}" "$replaces" >"$dir/go.mod"
}

build_kubernetes() {
  have kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl && return
  log "building Kubernetes $K8S_VERSION (cold: ~20 min on 2 cores)"
  local dir=$SRC/kubernetes-$K8S_VERSION modfile staging minor=${K8S_VERSION#v1.} replaces='' date
  modfile=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)",/\1/p')
  # Every staging module (k8s.io/api => ./staging/src/k8s.io/api) is published as v0.<minor>.<patch>.
  while read -r staging; do
    replaces+=$(printf '\t%s => %s v0.%s\n' "$staging" "$staging" "$minor")$'\n'
  done < <(sed -n 's#^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\1#p' "$modfile")
  wrapper_module "$dir" "k8s.io/kubernetes@$K8S_VERSION" "$replaces"
  date=$(sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$(dirname "$modfile")/$K8S_VERSION.info")
  local v ldflags=(-s -w)
  for v in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=(-X "$v.gitVersion=$K8S_VERSION" -X "$v.gitMajor=1" -X "$v.gitMinor=${minor%%.*}"
      -X "$v.gitTreeState=clean" -X "$v.buildDate=$date")
  done
  (cd "$dir" && go build -mod=mod -trimpath -ldflags="${ldflags[*]}" -o "$BIN/" \
    k8s.io/kubernetes/cmd/{kube-apiserver,kube-controller-manager,kube-scheduler,kubelet,kube-proxy,kubectl})
}

build_etcd() {
  have etcd && return
  log "building etcd $ETCD_VERSION"
  local dir=$SRC/etcd-$ETCD_VERSION m replaces=''
  for m in api/v3 client/pkg/v3 client/v3 pkg/v3; do
    replaces+=$(printf '\tgo.etcd.io/etcd/%s => go.etcd.io/etcd/%s %s\n' "$m" "$m" "$ETCD_VERSION")$'\n'
  done
  wrapper_module "$dir" "go.etcd.io/etcd/server/v3@$ETCD_VERSION" "$replaces"
  (cd "$dir" && go build -mod=mod -trimpath -o "$BIN/etcd" \
    -ldflags="-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=$ETCD_VERSION" go.etcd.io/etcd/server/v3)
}

build_containerd() {
  have containerd containerd-shim-runc-v2 ctr && return
  log "building containerd $CONTAINERD_VERSION"
  local dir=$SRC/containerd-$CONTAINERD_VERSION p=github.com/containerd/containerd/v2
  wrapper_module "$dir" "$p@$CONTAINERD_VERSION"
  (cd "$dir" && go build -mod=mod -trimpath -o "$BIN/" \
    -ldflags="-s -w -X $p/version.Version=$CONTAINERD_VERSION -X $p/version.Package=$p" \
    "$p/cmd/containerd" "$p/cmd/containerd-shim-runc-v2" "$p/cmd/ctr")
}

go_install() { # go_install BINARY PACKAGE@VERSION
  have "$1" && return
  log "building $2"
  GOBIN=$BIN go install -trimpath -ldflags="-s -w" "$2"
}

build_pause_image() {
  [[ -f $IMAGES/pause.tar ]] && return
  log "building $PAUSE_IMAGE from the Kubernetes $K8S_VERSION sources"
  local src root
  src=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')/build/pause/linux
  root=$(mktemp -d)
  gcc -Os -Wall -Werror -static -DVERSION="v$PAUSE_VERSION-$K8S_VERSION" -o "$root/pause" "$src/pause.c"
  strip "$root/pause"
  oci_pack "$IMAGES/pause.tar" "$PAUSE_IMAGE" "$root" '"Entrypoint":["/pause"],"User":"65535:65535"'
  rm -rf "$root"
}

build_coredns_image() {
  [[ -f $IMAGES/coredns.tar ]] && return
  log "building $COREDNS_IMAGE"
  local root
  root=$(mktemp -d)
  install -m 0755 "$BIN/coredns" "$root/coredns"
  oci_pack "$IMAGES/coredns.tar" "$COREDNS_IMAGE" "$root" '"Entrypoint":["/coredns"],"ExposedPorts":{"53/udp":{},"53/tcp":{}}'
  rm -rf "$root"
}

# The helper image local-path-provisioner runs to create and delete volume directories (sh, mkdir, rm).
build_helper_image() {
  [[ -f $IMAGES/busybox.tar ]] && return
  log "building $HELPER_IMAGE from Debian's busybox-static"
  local root
  root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/tmp"
  install -m 0755 /bin/busybox "$root/bin/busybox"
  for applet in $("$root/bin/busybox" --list); do [[ $applet == busybox ]] || ln -s busybox "$root/bin/$applet"; done
  oci_pack "$IMAGES/busybox.tar" "$HELPER_IMAGE" "$root" '"Cmd":["/bin/sh"],"Env":["PATH=/bin"]'
  rm -rf "$root"
}

# kwok's own "fast" stages: nodes Ready with a lease heartbeat, pods Running/Ready (Job pods
# complete), claims of the kwok-volume class bound to fake volumes.
kwok_stages() {
  [[ -f $OUT/kwok-stages.yaml ]] && return
  local dir f
  dir=$(go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')/kustomize/stage
  for f in node/fast/node-initialize node/heartbeat-with-lease/node-heartbeat-with-lease \
    pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete \
    volume/fast/pvc-provision volume/fast/pv-bind volume/fast/pv-delete volume/fast/pvc-delete; do
    echo '---'
    cat "$dir/$f.yaml"
  done >"$OUT/kwok-stages.yaml"
}

start=$SECONDS
build_kubernetes
build_etcd
build_containerd
go_install kwok "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
kwok_stages
go_install coredns "github.com/coredns/coredns@$COREDNS_VERSION"
go_install local-path-provisioner "github.com/rancher/local-path-provisioner@$LOCAL_PATH_VERSION"
build_pause_image
build_coredns_image
build_helper_image
touch "$OUT/.complete"
prune_builds build "$OUT"
log "built in $((SECONDS - start))s: $OUT"
echo "$OUT"
