#!/usr/bin/env bash
# Builds the real minikube CLI at the release minikube/profile.env pins (MINIKUBE_VERSION) from the k8s.io/minikube
# module on the Go module proxy into the machine cache, $TODO_STACK_CACHE/tools/minikube-<version>-<os>-<arch>
# (outside the clone, keyed by version), and prints the binary's path. A warm cache makes this a no-op.
# Built the way minikube's Makefile builds out/minikube: as the main module (its go.mod has replace directives, which
# `go install` refuses: go_main_tool in tools/helm/go-tools.sh), with -tags libvirt_dlopen and cgo on Linux (the kvm
# driver's libvirt binding is cgo-only; dlopen means no libvirt is needed to build or run it) and the version stamped.
# It cannot run a cluster here (no VM, no images); real-minikube.test.mjs runs our command lines through it.
# Usage: tools/nx-plugin/real-minikube/build.sh
#   prints e.g. ~/.cache/todo-stack/tools/minikube-v1.38.1-linux-amd64/minikube
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
source "$root/tools/shell/common.sh" # log, die
command -v go >/dev/null 2>&1 || die "go is not on PATH; it builds minikube from the Go module proxy (Go >= 1.22)."

version="$(sed -n 's/^MINIKUBE_VERSION=//p' "$root/minikube/profile.env")"
[[ -n "$version" ]] || die "minikube/profile.env names no MINIKUBE_VERSION"
cache="${TODO_STACK_CACHE:-$HOME/.cache/todo-stack}"
mkdir -p "$cache/tools"
# One build at a time per cache (.ci/run starts one in the background; tools/ci/deploy.sh then finds it built).
exec 9>"$cache/.build-minikube.lock"
flock 9
source "$root/tools/helm/go-tools.sh" "$cache" # go_main_tool, go_module_dir

binary="$cache/tools/minikube-$version-$GO_PLATFORM/minikube"
if [[ ! -x "$binary" ]]; then
  tags='' cgo=0
  if [[ "$(go env GOOS)" == linux ]]; then
    command -v gcc >/dev/null 2>&1 || die "gcc is missing; minikube's Linux build needs cgo: apt-get install -y gcc libc6-dev"
    tags=libvirt_dlopen cgo=1
  fi
  # The versions the Makefile stamps (ISO_VERSION, STORAGE_PROVISIONER_TAG), read from the module's own Makefile.
  src="$(go_module_dir k8s.io/minikube "$version")"
  makefile_var() { sed -n "s/^$1 ?= //p" "$src/Makefile"; }
  ldflags="-X k8s.io/minikube/pkg/version.version=$version"
  ldflags+=" -X k8s.io/minikube/pkg/version.isoVersion=$(makefile_var ISO_VERSION)"
  ldflags+=" -X k8s.io/minikube/pkg/version.storageProvisionerVersion=$(makefile_var STORAGE_PROVISIONER_TAG)"
  go_main_tool minikube k8s.io/minikube "$version" cmd/minikube "$ldflags" "$tags" "$cgo" >/dev/null
fi
printf '%s\n' "$binary"
