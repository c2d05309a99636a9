#!/usr/bin/env bash
# Copies images into the test cluster's node runtime, where pods find them without any registry.
#   load-image.sh IMAGE...             from the local Docker engine (docker save | ctr import)
#   load-image.sh --archive FILE...    from `docker save` or OCI archives
# Pods must then refer to the same name (e.g. todo-backend:3f2a1c is docker.io/library/todo-backend:3f2a1c
# for both) and should use imagePullPolicy IfNotPresent or Never.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need_root "$@"
(($#)) || die "usage: $0 IMAGE... | $0 --archive FILE..."
case $(cat "$TC_STATE/mode" 2>/dev/null) in
  node) alive containerd || die "the node's containerd is not running: run $TC_DIR/up.sh again" ;;
  kwok) log "kwok mode runs no containers: nothing to load ($*)"; exit 0 ;;
  *) die "no test cluster: start one with $TC_DIR/up.sh" ;;
esac
CTR=("$(build_dir)/bin/ctr" --address "$TC_RUN/containerd.sock" --namespace k8s.io)
# ctr warns about cgroup v1 on every call; other messages pass through.
ctr_import() { "${CTR[@]}" images import "$@" 2> >(grep -v 'DEPRECATION: The support for cgroup v1' >&2); }

if [[ $1 == --archive ]]; then
  shift
  for f in "$@"; do
    [[ -f $f ]] || die "no such archive: $f"
    ctr_import "$f" >/dev/null || die "ctr could not import $f"
    log "imported $f"
  done
  exit 0
fi

if ! command -v docker >/dev/null || ! docker info >/dev/null 2>&1; then
  die "Docker engine not reachable: start dockerd (or use --archive)"
fi
for image in "$@"; do
  docker image inspect "$image" >/dev/null 2>&1 || die "image $image not found in Docker: build it first"
done
docker save "$@" | ctr_import - >/dev/null || die "ctr could not import the output of docker save $*"
log "loaded into the node: $*"
