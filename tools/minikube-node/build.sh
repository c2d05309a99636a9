#!/usr/bin/env bash
# Builds, offline, what the real `minikube start` (docker driver, containerd runtime) needs on a machine that reaches
# no container registry and no GitHub (CI), all from Debian packages and from the test cluster's own build:
#   1. the node image todo-stack/minikube-node:<key> (Dockerfile here): what kicbase gives a containerd node, from
#      Debian bookworm (systemd, runc, CNI plugins, OpenSSH, sudo) plus the test cluster's containerd and crictl
#      (sigs.k8s.io/cri-tools from the Go module proxy). For `minikube start --base-image`, which looks in the local
#      daemon first;
#   2. kubeadm, kubelet and kubectl of the test cluster's Kubernetes build (tools/test-cluster/versions.sh, kubeadm
#      built here from the same sources and stamp) in minikube's binary cache, MINIKUBE_HOME/cache/linux/<arch>/<v>/,
#      where minikube looks before downloading;
#   3. every image minikube puts in the node, under the exact name it asks for (it takes them from the local daemon):
#      registry.k8s.io/{kube-apiserver,kube-controller-manager,kube-scheduler,kube-proxy}:<v>, pause, etcd,
#      coredns/coredns from those binaries, and gcr.io/k8s-minikube/storage-provisioner from minikube's own source.
# Each step is cached by content: Go builds under $TODO_STACK_CACHE/tools, the node image as
# $TODO_STACK_CACHE/images/minikube-node-<key>.tar.zst (key: this directory, the Debian recipe and the binaries).
# A warm cache makes this a few `docker image inspect`s.
#
# Usage: tools/minikube-node/build.sh         (root, Docker running; runs tools/test-cluster/build.sh, a no-op when built)
#        tools/minikube-node/build.sh rootfs  only the Debian root file system tarball (mmdebstrap; no Docker needed)
# stdout: MINIKUBE_KUBERNETES_VERSION=<v>, MINIKUBE_BASE_IMAGE=<ref> and TRAEFIK_IMAGE=<ref> (the front door's image,
# from the test cluster's add-on build) lines, for `eval`; progress on stderr.
set -euo pipefail

NODE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$NODE_DIR/../.." && pwd)
LOG_PREFIX=minikube-node
source "$ROOT/tools/test-cluster/lib.sh" # versions, TC_CACHE, apt_need, log, die
IMAGES_DIR=$ROOT/tools/images
CACHE_DIR=${TODO_STACK_CACHE:-$HOME/.cache/todo-stack}/images
# shellcheck source=../images/lib/rootfs.sh
source "$IMAGES_DIR/lib/rootfs.sh"  # rootfs_build
# shellcheck source=../images/lib/build.sh
source "$IMAGES_DIR/lib/build.sh"   # image_present, require_mmdebstrap, run_logged
# shellcheck source=../images/lib/cache.sh
source "$IMAGES_DIR/lib/cache.sh"   # tarball_ext, save_image, cached_tarball, load_image
source "$ROOT/tools/helm/go-tools.sh" "${TODO_STACK_CACHE:-$HOME/.cache/todo-stack}" # go_tool, go_main_tool, GO_PLATFORM

readonly NODE_REPO=todo-stack/minikube-node
readonly NODE_SUITE=bookworm # kicbase's release; also systemd 252, which still boots on a cgroup v1 host
# kicbase's packages that a containerd node uses (deploy/kicbase/Dockerfile), runc and the CNI plugins instead of its
# downloads, procps for minikube's pgrep, openssh-server (scp comes with its openssh-client).
readonly NODE_PACKAGES=(
  systemd dbus sudo openssh-server procps kmod udev ca-certificates curl rsync bash
  conntrack iptables iproute2 ethtool socat util-linux mount ebtables libseccomp2 pigz
  runc containernetworking-plugins iputils-ping netcat-openbsd
)
readonly CRICTL_VERSION=v1.37.0 # the oldest sigs.k8s.io/cri-tools the Go module proxy serves for Kubernetes 1.35
MINIKUBE_VERSION=$(sed -n 's/^MINIKUBE_VERSION=//p' "$ROOT/minikube/profile.env")
MINIKUBE_HOME_DIR=${MINIKUBE_HOME:-$HOME}
[[ $(basename "$MINIKUBE_HOME_DIR") == .minikube ]] || MINIKUBE_HOME_DIR=$MINIKUBE_HOME_DIR/.minikube
ARCH=$(go env GOARCH)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# kubeadm from the test cluster's Kubernetes sources, stamped like its other binaries (minikube and kubeadm compare
# versions: kubeadm init fails for a control plane newer than itself).
build_kubeadm() {
  local dir=$TC_CACHE/src/kubernetes-$K8S_VERSION out minor=${K8S_VERSION#v1.} date
  out=$TODO_STACK_CACHE_DIR/tools/kubeadm-$K8S_VERSION-$GO_PLATFORM
  if [[ ! -x $out/kubeadm ]]; then
    [[ -f $dir/go.mod ]] || die "$dir/go.mod is missing: tools/test-cluster/build.sh makes it"
    log "building kubeadm $K8S_VERSION (warm Go cache of the test cluster build: a few minutes)"
    date=$(sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/$K8S_VERSION.info")
    local v ldflags=(-s -w)
    for v in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      ldflags+=(-X "$v.gitVersion=$K8S_VERSION" -X "$v.gitMajor=1" -X "$v.gitMinor=${minor%%.*}"
        -X "$v.gitTreeState=clean" -X "$v.buildDate=$date")
    done
    mkdir -p "$out.tmp"
    (cd "$dir" && GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false \
      go build -mod=mod -trimpath -ldflags="${ldflags[*]}" -o "$out.tmp/" k8s.io/kubernetes/cmd/kubeadm) ||
      die "building kubeadm failed (see above)"
    mv -T "$out.tmp" "$out"
  fi
  KUBEADM=$out/kubeadm
}

# minikube's binary cache: kubeadm, kubelet and kubectl of K8S_VERSION, so that `minikube start` downloads none.
seed_binaries() {
  local dir=$MINIKUBE_HOME_DIR/cache/linux/$ARCH/$K8S_VERSION f src
  mkdir -p "$dir"
  for f in kubeadm kubelet kubectl; do
    src=$BIN/$f
    [[ $f == kubeadm ]] && src=$KUBEADM
    cmp -s "$src" "$dir/$f" || install -m 0755 "$src" "$dir/$f"
  done
  log "minikube's binary cache: $dir"
}

# rootfs_key PACKAGE...: the key of a root file system of these packages: what mmdebstrap uses.
rootfs_key() { { printf '%s\n' "$NODE_SUITE" "$@"; cat "$IMAGES_DIR/lib/rootfs.sh"; } | sha256sum | cut -c1-12; }

# ensure_rootfs_tarball NAME KEY LOGFILE DIR PACKAGE...: a Debian root file system (of DIR's configuration and the
# packages) as a tarball in the cache, $CACHE_DIR/NAME-rootfs-KEY.tar (mmdebstrap, a few minutes; no Docker needed), so
# that a daemon that lost the imported image gets it back in seconds; older tarballs of NAME go. Sets ROOTFS_TARBALL.
ensure_rootfs_tarball() {
  local name=$1 key=$2 logfile=$3 dir=$4
  shift 4
  ROOTFS_TARBALL=$CACHE_DIR/$name-rootfs-$key.tar
  [[ -s $ROOTFS_TARBALL ]] && return 0
  require_mmdebstrap
  log "$name: building the root file system (mmdebstrap $NODE_SUITE); log: $logfile"
  if ! rootfs_build "$NODE_SUITE" "$dir" "$@" >"$ROOTFS_TARBALL.tmp" 2>>"$logfile"; then
    rm -f "$ROOTFS_TARBALL.tmp"
    tail -n 30 "$logfile" >&2
    die "mmdebstrap of $name's root file system failed; the last lines of $logfile are above"
  fi
  mv "$ROOTFS_TARBALL.tmp" "$ROOTFS_TARBALL"
  find "$CACHE_DIR" -maxdepth 1 -name "$name-rootfs-*.tar" ! -path "$ROOTFS_TARBALL" -delete
}

# The node's root file system.
node_rootfs() { ensure_rootfs_tarball minikube-node "$1" "$2" "$NODE_DIR" "${NODE_PACKAGES[@]}"; }

# The node image, by content: present in the daemon, else loaded from the cache's tarball, else built.
ensure_node_image() {
  local crictl rootfs_key key ref tarball cached
  crictl=$(go_tool crictl sigs.k8s.io/cri-tools/cmd/crictl "$CRICTL_VERSION" \
    "-X sigs.k8s.io/cri-tools/pkg/version.Version=${CRICTL_VERSION#v}")/crictl
  mkdir -p "$WORK/node/bin"
  cp "$NODE_DIR"/Dockerfile "$NODE_DIR"/*.toml "$NODE_DIR"/*.conf "$NODE_DIR"/*.service "$WORK/node/"
  # kicbase's own entrypoint (cgroups, mounts, machine id, iptables mode for a node in a container) and automount
  # (the persistent volumes' directory on the node's /var volume), as released.
  local kicbase
  kicbase=$(go_module_dir k8s.io/minikube "$MINIKUBE_VERSION")/deploy/kicbase
  cp "$kicbase/entrypoint" "$kicbase"/automount/minikube-automount{,.service} "$WORK/node/"
  cp "$BIN"/{containerd,containerd-shim-runc-v2,ctr} "$crictl" "$WORK/node/bin/"
  rootfs_key=$(rootfs_key "${NODE_PACKAGES[@]}")
  ROOTFS_REF=$NODE_REPO-rootfs:$rootfs_key
  key=$( (cd "$WORK/node" && find . -type f | LC_ALL=C sort | xargs sha256sum; echo "$rootfs_key") | sha256sum | cut -c1-12)
  ref=$NODE_REPO:$key
  mkdir -p "$CACHE_DIR/logs"
  tarball=$CACHE_DIR/minikube-node-$key.$(tarball_ext)
  if image_present "$ref"; then
    log "node image $ref is present"
  elif cached=$(cached_tarball minikube-node "$key"); then
    log "node image: loading $cached"
    if ! load_image "$cached" >/dev/null || ! image_present "$ref"; then
      rm -f "$cached"
      die "$cached did not load as $ref and has been removed; run this again to rebuild it"
    fi
  else
    local logfile=$CACHE_DIR/logs/minikube-node-$key.log start=$SECONDS
    : >"$logfile"
    if ! image_present "$ROOTFS_REF"; then
      node_rootfs "$rootfs_key" "$logfile"
      docker import - "$ROOTFS_REF" <"$ROOTFS_TARBALL" >>"$logfile" || die "docker import of $ROOTFS_TARBALL failed"
    fi
    log "node image: building $ref"
    run_logged "$logfile" docker buildx build --load --progress=plain --build-arg ROOTFS_IMAGE="$ROOTFS_REF" \
      --build-arg CONTENT_KEY="$key" --tag "$ref" "$WORK/node"
    save_image minikube-node "$ref" "$tarball"
    log "node image $ref built in $((SECONDS - start))s"
  fi
  NODE_IMAGE=$ref
}

# image NAME CONTEXT: builds the image NAME from the Dockerfile in CONTEXT unless the daemon has it from the same
# content; minikube's own copy of an image it replaces (MINIKUBE_HOME/cache/images) is dropped.
image() {
  local name=$1 context=$2 key
  key=$( (cd "$context" && find . -type f | LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -c1-12)
  if [[ $(docker image inspect -f '{{index .Config.Labels "io.todo-stack.content-key"}}' "$name" 2>/dev/null) == "$key" ]]; then
    return 0
  fi
  log "building $name"
  run_logged "$CACHE_DIR/logs/minikube-node-images.log" docker buildx build --load --progress=plain \
    --label io.todo-stack.content-key="$key" --tag "$name" "$context"
  rm -f "$MINIKUBE_HOME_DIR/cache/images/$ARCH/${name//:/_}"
}

# static_image NAME BINARY...: an image of static binaries on PATH, nothing else (as kubeadm's static pods run them).
static_image() {
  local name=$1 dir
  shift
  dir=$WORK/images/${name//[\/:]/_}
  mkdir -p "$dir"
  cp "$@" "$dir/"
  {
    echo 'FROM scratch'
    echo 'ENV PATH=/usr/local/bin'
    printf 'COPY %s /usr/local/bin/\n' "${@##*/}"
    echo "ENTRYPOINT [\"/usr/local/bin/$(basename "$1")\"]"
  } >"$dir/Dockerfile"
  image "$name" "$dir"
}

ensure_cluster_images() {
  local registry=registry.k8s.io dir
  mkdir -p "$CACHE_DIR/logs"
  static_image "$registry/kube-apiserver:$K8S_VERSION" "$BIN/kube-apiserver"
  static_image "$registry/kube-controller-manager:$K8S_VERSION" "$BIN/kube-controller-manager"
  static_image "$registry/kube-scheduler:$K8S_VERSION" "$BIN/kube-scheduler"
  static_image "$registry/etcd:${ETCD_VERSION#v}-0" "$BIN/etcd"
  # kube-proxy programs iptables: on the node's Debian root file system, which has iptables and conntrack.
  dir=$WORK/images/kube-proxy
  mkdir -p "$dir"
  cp "$BIN/kube-proxy" "$dir/"
  printf 'FROM %s\nENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nCOPY kube-proxy /usr/local/bin/kube-proxy\nENTRYPOINT ["/usr/local/bin/kube-proxy"]\n' "$ROOTFS_REF" >"$dir/Dockerfile"
  image "$registry/kube-proxy:$K8S_VERSION" "$dir"
  # pause and CoreDNS: the test cluster's images (built from the same sources), under kubeadm's names.
  oci_image "$registry/pause:$PAUSE_VERSION" "$OUT/images/pause.tar" $'USER 65535:65535\nENTRYPOINT ["/pause"]'
  oci_image "$registry/coredns/coredns:$COREDNS_VERSION" "$OUT/images/coredns.tar" \
    $'EXPOSE 53/udp 53/tcp\nENTRYPOINT ["/coredns"]'
  # minikube's storage-provisioner (its tag from the Makefile of the profile's minikube).
  local tag provisioner
  tag=$(sed -n 's/^STORAGE_PROVISIONER_TAG ?= //p' "$(go_module_dir k8s.io/minikube "$MINIKUBE_VERSION")/Makefile")
  provisioner=$(build_storage_provisioner "$tag")/storage-provisioner
  dir=$WORK/images/storage-provisioner
  mkdir -p "$dir"
  cp "$provisioner" "$dir/"
  printf 'FROM scratch\nCOPY storage-provisioner /storage-provisioner\nENTRYPOINT ["/storage-provisioner"]\n' >"$dir/Dockerfile"
  image "gcr.io/k8s-minikube/storage-provisioner:$tag" "$dir"
}

# Where storage-provisioner's source comes from, and the client-go it is built against. Every minikube release still
# ships the v5 image, built in 2021; its code (sig-storage-lib-external-provisioner v6.3.0) takes an Endpoints leader
# lock, which client-go removed in v0.23 ("endpoints lock is removed, migrate to leases"): built from v1.38.1's module
# with its client-go v0.35 the provisioner exits at start and every PVC stays Pending. So: the oldest minikube module
# the proxy serves (v1.25.2), unpatched, with client-go, api and apimachinery v0.22.4, the last line with that lock
# (Kubernetes 1.35 still serves Endpoints). Its old golang.org/x/net reaches into syscall: -checklinkname=0 lets Go 1.23+
# link it.
readonly PROVISIONER_MINIKUBE_VERSION=v1.25.2 PROVISIONER_CLIENT_GO=v0.22.4

# build_storage_provisioner TAG: prints the directory of the storage-provisioner binary (cached by the versions above).
build_storage_provisioner() {
  local tag=$1 dir src tmp
  dir=$TODO_STACK_CACHE_DIR/tools/storage-provisioner-$tag-$PROVISIONER_MINIKUBE_VERSION-client-go-$PROVISIONER_CLIENT_GO-$GO_PLATFORM
  if [[ -x $dir/storage-provisioner ]]; then
    printf '%s\n' "$dir"
    return
  fi
  log "building storage-provisioner $tag from k8s.io/minikube@$PROVISIONER_MINIKUBE_VERSION with client-go $PROVISIONER_CLIENT_GO (once, 2-4 min)"
  src=$(go_module_dir k8s.io/minikube "$PROVISIONER_MINIKUBE_VERSION")
  tmp=$(mktemp -d "$TODO_STACK_CACHE_DIR/tools/.storage-provisioner.XXXXXX")
  cp -R "$src" "$tmp/src" && chmod -R u+w "$tmp/src"
  if ! (cd "$tmp/src" &&
    go mod edit -replace "k8s.io/client-go=k8s.io/client-go@$PROVISIONER_CLIENT_GO" \
      -replace "k8s.io/api=k8s.io/api@$PROVISIONER_CLIENT_GO" \
      -replace "k8s.io/apimachinery=k8s.io/apimachinery@$PROVISIONER_CLIENT_GO" &&
    CGO_ENABLED=0 GOFLAGS="-buildvcs=false -mod=mod" go build -trimpath \
      -ldflags "-s -w -checklinkname=0 -X k8s.io/minikube/pkg/storage.version=$tag" \
      -o "$tmp/storage-provisioner" ./cmd/storage-provisioner >&2); then
    rm -rf "$tmp"
    die "building storage-provisioner failed (see above). Is the Go module proxy reachable? (go env GOPROXY: $(go env GOPROXY))"
  fi
  rm -rf "$tmp/src"
  mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
  printf '%s\n' "$dir"
}

# oci_image NAME ARCHIVE IMAGE_LINES: the image NAME from the one-layer OCI archive ARCHIVE (tools/test-cluster's
# oci_pack; this Docker may be too old to `docker load` an OCI layout) with Dockerfile IMAGE_LINES after its files.
oci_image() {
  local name=$1 archive=$2 lines=$3 dir unpacked manifest layer
  dir=$WORK/images/${name//[\/:]/_}
  unpacked=$dir.oci
  mkdir -p "$dir/rootfs" "$unpacked"
  tar -xf "$archive" -C "$unpacked"
  manifest=$(jq -r '.manifests[0].digest' "$unpacked/index.json")
  layer=$(jq -r '.layers[0].digest' "$unpacked/blobs/sha256/${manifest#sha256:}")
  tar -xf "$unpacked/blobs/sha256/${layer#sha256:}" -C "$dir/rootfs"
  printf 'FROM scratch\nCOPY rootfs/ /\n%s\n' "$lines" >"$dir/Dockerfile"
  image "$name" "$dir"
}

# kube-router's image (the profile's CNI, minikube/kube-router.yaml): Debian's iptables, ipset and iproute2 on bookworm
# (the node's release: its iptables-nft is the node's and kube-proxy's, so all three program the same tables) and the
# test cluster's kube-router build. No CNI plugins: the node has bridge, host-local, loopback and portmap in
# /opt/cni/bin, which the manifest's init container then leaves alone. Cached by content like the node image.
readonly KUBE_ROUTER_PACKAGES=(iptables ipset iproute2)
ensure_kube_router_image() {
  local key logfile=$CACHE_DIR/logs/kube-router-image.log dir=$WORK/images/kube-router
  key=$(rootfs_key "${KUBE_ROUTER_PACKAGES[@]}")
  local rootfs_ref=todo-stack/kube-router-rootfs:$key
  if ! image_present "$rootfs_ref"; then
    ensure_rootfs_tarball kube-router "$key" "$logfile" "$WORK" "${KUBE_ROUTER_PACKAGES[@]}"
    docker import - "$rootfs_ref" <"$ROOTFS_TARBALL" >>"$logfile" || die "docker import of $ROOTFS_TARBALL failed"
  fi
  mkdir -p "$dir"
  cp "$ADDONS_OUT/bin/kube-router" "$dir/"
  printf 'FROM %s\nCOPY kube-router /usr/local/bin/kube-router\nENTRYPOINT ["/usr/local/bin/kube-router"]\n' \
    "$rootfs_ref" >"$dir/Dockerfile"
  image "$KUBE_ROUTER_IMAGE" "$dir"
}

start=$SECONDS
if [[ ${1:-} == rootfs ]]; then
  mkdir -p "$CACHE_DIR/logs"
  node_rootfs "$(rootfs_key "${NODE_PACKAGES[@]}")" "$CACHE_DIR/logs/minikube-node-rootfs.log"
  log "root file system: $ROOTFS_TARBALL ($((SECONDS - start))s)"
  exit 0
fi
TODO_STACK_CACHE_DIR=${TODO_STACK_CACHE:-$HOME/.cache/todo-stack}
docker info >/dev/null 2>&1 || die "the Docker daemon does not answer 'docker info'. Run: bash tools/ci/install-docker.sh"
OUT=$("$TC_DIR/build.sh")
BIN=$OUT/bin
build_kubeadm
seed_binaries
ensure_node_image
ensure_cluster_images
# The front door's image for the deploy (the profile's TRAEFIK_IMAGE is the official one, which nothing can pull
# here): the test cluster's Traefik, built from source, as a Docker image the deploy loads into the node.
ADDONS_OUT=$("$TC_DIR/addons/build.sh")
oci_image "$TRAEFIK_IMAGE" "$ADDONS_OUT/images/traefik.tar" $'USER 65532:65532\nENTRYPOINT ["/traefik"]'
# The CNI's image for the profile's kube-router manifest (its KUBE_ROUTER_IMAGE is the official one).
readonly KUBE_ROUTER_IMAGE=localhost/todo-stack/kube-router:$KUBE_ROUTER_VERSION
ensure_kube_router_image
# The busybox of the test cluster's probe pods, for the NetworkPolicy checks (tools/test-cluster/test/network-policy).
oci_image "$HELPER_IMAGE" "$OUT/images/busybox.tar" $'ENV PATH=/bin\nCMD ["/bin/sh"]'
log "ready in $((SECONDS - start))s"
printf 'MINIKUBE_KUBERNETES_VERSION=%s\nMINIKUBE_BASE_IMAGE=%s\nTRAEFIK_IMAGE=%s\nKUBE_ROUTER_IMAGE=%s\nPROBE_IMAGE=%s\n' \
  "$K8S_VERSION" "$NODE_IMAGE" "$TRAEFIK_IMAGE" "$KUBE_ROUTER_IMAGE" "$HELPER_IMAGE"
