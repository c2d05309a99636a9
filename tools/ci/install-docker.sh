#!/usr/bin/env bash
# Installs and starts a Docker engine with BuildKit (`docker buildx`) and Compose v2, from Debian packages only.
#
#   bash tools/ci/install-docker.sh
#
# - Engine: Debian's `docker.io` (apt-get).
# - `docker buildx` and `docker compose`: the `docker-buildx` and `docker-compose` (v2, a CLI plugin) packages of
#   Debian unstable, downloaded with `apt-get download` through a private sources list (the system's apt sources are
#   not touched), then `dpkg -i`. Both are static Go binaries that only need libc6 >= 2.34, so they install on
#   bookworm. The .debs are cached under ${TODO_STACK_CACHE:-$HOME/.cache/todo-stack}/debs/, named by version: a warm
#   cache installs without network. Set TODO_STACK_REFRESH_DEBS=1 to fetch the current unstable versions instead.
# - Starts `dockerd` in the background (log: $DOCKERD_LOG, default /var/log/dockerd.log) unless a daemon already
#   answers `docker info`. It never stops or restarts a running daemon: other jobs on this machine may be using it.
#
# Idempotent and safe to run concurrently (serialised with flock). Exits non-zero with a message saying what to do.
set -euo pipefail

readonly CACHE_DIR="${TODO_STACK_CACHE:-$HOME/.cache/todo-stack}"
readonly DEB_CACHE="$CACHE_DIR/debs"
readonly DOCKERD_LOG="${DOCKERD_LOG:-/var/log/dockerd.log}"
readonly DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
readonly PLUGIN_SUITE="${DOCKER_PLUGIN_SUITE:-unstable}"
readonly DOCKERD_TIMEOUT="${DOCKERD_TIMEOUT:-60}"
# Debian packages providing the CLI plugins, and the plugin subcommand each one provides.
readonly -A PLUGIN_PACKAGES=([buildx]=docker-buildx [compose]=docker-compose)

cleanup_dirs=()
trap 'rm -rf "${cleanup_dirs[@]}"' EXIT

source "$(dirname "${BASH_SOURCE[0]}")/../shell/common.sh"

require_root() {
  if [[ $(id -u) -ne 0 ]]; then
    die "$1 needs root. Run this script as root (CI runs as root), or install the engine yourself: see tools/images/README.md."
  fi
}

apt_updated=0
apt_install() {
  require_root "installing $*"
  if ((apt_updated == 0)); then
    log "apt-get update"
    apt-get update -qq || die "apt-get update failed: check the network and /etc/apt/sources.list*."
    apt_updated=1
  fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null ||
    die "apt-get install $* failed (see the apt output above)."
}

# Engine -------------------------------------------------------------------------------------------------------------
install_engine() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  # The docker CLI can come from docker.io or be preinstalled (e.g. /usr/local/bin/docker); iptables is needed by
  # dockerd's bridge networking and is only a Recommends of some packagings.
  command -v docker >/dev/null 2>&1 || missing+=(docker.io)
  command -v iptables >/dev/null 2>&1 || missing+=(iptables)
  if ((${#missing[@]})); then
    local unique
    mapfile -t unique < <(printf '%s\n' "${missing[@]}" | sort -u)
    apt_install "${unique[@]}"
  fi
  command -v dockerd >/dev/null 2>&1 || die "dockerd is still missing after installing docker.io."
}

# CLI plugins (buildx, compose) --------------------------------------------------------------------------------------
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

# Daemon -------------------------------------------------------------------------------------------------------------
daemon_answers() { docker info >/dev/null 2>&1; }
# daemon_settled PID: the daemon answers, or the dockerd started as PID has exited (nothing left to wait for).
daemon_settled() { daemon_answers || ! kill -0 "$1" 2>/dev/null; }

start_daemon() {
  if daemon_answers; then
    log "a Docker daemon is already running; leaving it as it is"
    return 0
  fi
  if [[ -n ${DOCKER_HOST:-} ]]; then
    die "DOCKER_HOST=$DOCKER_HOST is set but that daemon does not answer 'docker info'. Start it, or unset DOCKER_HOST to use a local dockerd."
  fi
  if pgrep -x dockerd >/dev/null 2>&1; then
    # Someone (another job on this machine) is starting it right now: wait instead of starting a second daemon.
    log "dockerd is running but not answering yet; waiting up to ${DOCKERD_TIMEOUT}s"
    wait_until "$DOCKERD_TIMEOUT" daemon_answers || die "dockerd (pid $(pgrep -x dockerd | tr '\n' ' ')) does not answer 'docker info' after ${DOCKERD_TIMEOUT}s. Look at its log (default $DOCKERD_LOG)."
    return 0
  fi
  require_root "starting dockerd"
  mkdir -p "$(dirname "$DOCKERD_LOG")"
  log "starting dockerd in the background (log: $DOCKERD_LOG)"
  # setsid + nohup: the daemon outlives this script and the CI step that ran it, on purpose.
  # The lock fd is closed for it, or the long-lived daemon would hold the lock forever.
  setsid nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null {lock_fd}>&- &
  local pid=$!
  if ! wait_until "$DOCKERD_TIMEOUT" daemon_settled "$pid"; then
    tail -n 20 "$DOCKERD_LOG" >&2 || true
    die "dockerd (pid $pid) did not answer 'docker info' within ${DOCKERD_TIMEOUT}s (last lines of $DOCKERD_LOG above)."
  fi
  if ! daemon_answers; then
    tail -n 20 "$DOCKERD_LOG" >&2 || true
    die "dockerd exited during start-up (last lines of $DOCKERD_LOG above). Common causes: no cgroup support, no iptables, or a stale /var/run/docker.pid."
  fi
  log "dockerd is up (pid $pid)"
}

verify() {
  local server buildx compose
  server=$(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})') ||
    die "'docker version' cannot reach the daemon."
  buildx=$(docker buildx version 2>&1) ||
    die "'docker buildx version' failed: $buildx. Re-run with TODO_STACK_REFRESH_DEBS=1 to reinstall docker-buildx."
  compose=$(docker compose version 2>&1) ||
    die "'docker compose version' failed: $compose. Re-run with TODO_STACK_REFRESH_DEBS=1 to reinstall docker-compose."
  log "engine:  $server"
  log "buildx:  $buildx"
  log "compose: $compose"
}

main() {
  command -v apt-get >/dev/null 2>&1 || die "this script installs Debian packages and needs apt-get (Debian/Ubuntu)."
  mkdir -p "$CACHE_DIR"
  # One installer at a time on this machine (apt/dpkg locks, and a single dockerd).
  local lock=/run/lock/todo-stack-install-docker.lock
  [[ -w $(dirname "$lock") ]] || lock="$CACHE_DIR/install-docker.lock"
  exec {lock_fd}>"$lock"
  flock -w 600 "$lock_fd" || die "another install-docker.sh has held $lock for 10 minutes; is it stuck?"

  install_engine
  install_plugins
  start_daemon
  verify
}

main "$@"
