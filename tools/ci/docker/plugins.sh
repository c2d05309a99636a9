# shellcheck shell=bash
# The `docker buildx` and `docker compose` CLI plugins from Debian $PLUGIN_SUITE .debs (cached in $DEB_CACHE), for
# tools/ci/install-docker.sh (sourced by it).

plugin_works() { docker "$1" version >/dev/null 2>&1; }

# Newest cached .deb of a package, or nothing.
cached_deb() {
  local pkg=$1
  compgen -G "$DEB_CACHE/${pkg}_*.deb" >/dev/null || return 0
  printf '%s\n' "$DEB_CACHE/${pkg}"_*.deb | sort -V | tail -n 1
}

# Downloads the current $PLUGIN_SUITE version of the given packages into $DEB_CACHE, through a private apt
# configuration under a temporary directory (the system's sources and lists are left alone).
download_debs() {
  local tmp
  tmp=$(mktemp -d)
  cleanup_dirs+=("$tmp")
  mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial" "$DEB_CACHE"
  printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
    "$DEBIAN_MIRROR" "$PLUGIN_SUITE" >"$tmp/sources.list"
  [[ -r /usr/share/keyrings/debian-archive-keyring.gpg ]] || apt_install debian-archive-keyring
  local -a opts=(
    -o "Dir::Etc::SourceList=$tmp/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache=$tmp/cache"
    -o Acquire::Check-Valid-Until=false -o APT::Sandbox::User=root -qq
  )
  log "fetching the $PLUGIN_SUITE package index for: $*"
  apt-get "${opts[@]}" update ||
    die "apt-get update for Debian $PLUGIN_SUITE ($DEBIAN_MIRROR) failed: check that deb.debian.org is reachable."
  (cd "$tmp" && apt-get "${opts[@]}" download "$@") ||
    die "apt-get download $* from Debian $PLUGIN_SUITE failed."
  local deb
  for deb in "$tmp"/*.deb; do
    mv -f "$deb" "$DEB_CACHE/"
    log "cached $(basename "$deb")"
  done
}

install_plugins() {
  local cmd pkg deb want=() debs=()
  for cmd in "${!PLUGIN_PACKAGES[@]}"; do
    pkg=${PLUGIN_PACKAGES[$cmd]}
    if plugin_works "$cmd" && [[ ${TODO_STACK_REFRESH_DEBS:-0} != 1 ]]; then
      continue
    fi
    want+=("$pkg")
  done
  ((${#want[@]})) || return 0
  require_root "installing ${want[*]}"

  local to_fetch=()
  for pkg in "${want[@]}"; do
    if [[ ${TODO_STACK_REFRESH_DEBS:-0} == 1 || -z $(cached_deb "$pkg") ]]; then
      to_fetch+=("$pkg")
    fi
  done
  ((${#to_fetch[@]} == 0)) || download_debs "${to_fetch[@]}"

  for pkg in "${want[@]}"; do
    deb=$(cached_deb "$pkg")
    [[ -n $deb ]] || die "no .deb of $pkg in $DEB_CACHE after downloading it."
    # A truncated or corrupt cache entry is dropped so that the next run downloads it again.
    dpkg-deb --info "$deb" >/dev/null 2>&1 || {
      rm -f "$deb"
      die "$deb was corrupt and has been removed; run this script again to download it."
    }
    debs+=("$deb")
  done
  log "dpkg -i ${debs[*]##*/}"
  dpkg -i "${debs[@]}" >/dev/null || die "dpkg -i ${debs[*]} failed (see the dpkg output above)."
}
