# shellcheck shell=bash
# Building the chart tools from the Go module proxy into the machine cache, for tools/helm/install-helm.sh (sourced by
# it as `source go-tools.sh CACHE_DIR`). Each tool lands in CACHE_DIR/tools/<name>-<version>-<os>-<arch>, renamed
# into place when complete, so a concurrent or interrupted run never leaves a half-built tool there.
GO_TOOLS_CACHE=$1
GO_PLATFORM="$(go env GOOS)-$(go env GOARCH)"

# go_tool NAME PACKAGE VERSION [LDFLAGS...]: prints the directory holding the binary NAME, building it if needed.
go_tool() {
  local name="$1" pkg="$2" version="$3" ldflags="${4:-}"
  local dir="$GO_TOOLS_CACHE/tools/$name-$version-$GO_PLATFORM"
  if [[ -x "$dir/$name" ]]; then printf '%s\n' "$dir"; return; fi
  log "building $name $version: go install $pkg@$version (first run on this machine only, 1-3 min)"
  local tmp
  tmp="$(mktemp -d "$GO_TOOLS_CACHE/tools/.$name.XXXXXX")"
  if ! GOBIN="$tmp" CGO_ENABLED=0 GOFLAGS=-buildvcs=false \
      go install -trimpath -ldflags "-s -w $ldflags" "$pkg@$version" >&2; then
    rm -rf "$tmp"
    die "go install $pkg@$version failed (see above). Is the Go module proxy reachable? (go env GOPROXY: $(go env GOPROXY))"
  fi
  local built="$tmp/${pkg##*/}"
  [[ "$built" == "$tmp/$name" ]] || mv "$built" "$tmp/$name"
  # Rename into place; if a concurrent run got there first, keep its copy.
  mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
  printf '%s\n' "$dir"
}

# go_main_tool NAME MODULE VERSION PACKAGE_DIR [LDFLAGS [TAGS [CGO]]]: like go_tool, for modules whose go.mod has
# replace directives (which `go install module@version` refuses): builds a copy of the module's source as the main
# module, so its go.mod and go.sum apply as its authors test it. TAGS are go build tags; CGO (default 0) is
# CGO_ENABLED, for modules whose release build needs cgo (minikube: its kvm driver, -tags libvirt_dlopen).
go_main_tool() {
  local name="$1" module="$2" version="$3" pkgdir="$4" ldflags="${5:-}" tags="${6:-}" cgo="${7:-0}"
  local dir="$GO_TOOLS_CACHE/tools/$name-$version-$GO_PLATFORM"
  if [[ -x "$dir/$name" ]]; then printf '%s\n' "$dir"; return; fi
  log "building $name $version from the $module module (first run on this machine only, 1-3 min)"
  local src tmp
  src="$(go_module_dir "$module" "$version")"
  tmp="$(mktemp -d "$GO_TOOLS_CACHE/tools/.$name.XXXXXX")"
  cp -R "$src" "$tmp/src" && chmod -R u+w "$tmp/src"
  if ! (cd "$tmp/src" && CGO_ENABLED="$cgo" GOFLAGS=-buildvcs=false \
      go build -trimpath -tags "$tags" -ldflags "-s -w $ldflags" -o "$tmp/$name" "./$pkgdir" >&2); then
    rm -rf "$tmp"
    die "building $module@$version failed (see above). Is the Go module proxy reachable? (go env GOPROXY: $(go env GOPROXY))"
  fi
  rm -rf "$tmp/src"
  mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
  printf '%s\n' "$dir"
}

# go_module_dir MODULE VERSION: downloads a module into the Go module cache (checksum-verified) and prints its dir.
go_module_dir() {
  local json
  json="$(cd "$GO_TOOLS_CACHE" && GOFLAGS=-mod=mod go mod download -json "$1@$2")" \
    || die "go mod download $1@$2 failed. Is the Go module proxy reachable? (go env GOPROXY: $(go env GOPROXY))"
  node -e 'const m = JSON.parse(require("fs").readFileSync(0, "utf8")); if (m.Error) { console.error(m.Error); process.exit(1) } console.log(m.Dir)' <<<"$json"
}
