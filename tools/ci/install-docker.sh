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
# - Where the capability bounding set is incomplete (some CI sandboxes lack CAP_SYS_RESOURCE, so `docker run
#   --privileged` fails), makes tools/ci/docker/runc-bounded dockerd's default runtime (/etc/docker/daemon.json; a
#   running daemon reloads it on SIGHUP). minikube's docker driver needs --privileged (tools/minikube-node/).
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
source "$(dirname "${BASH_SOURCE[0]}")/docker/plugins.sh" # install_plugins
source "$(dirname "${BASH_SOURCE[0]}")/docker/daemon.sh"  # start_daemon
source "$(dirname "${BASH_SOURCE[0]}")/docker/runtime.sh" # configure_runtime, reload_runtime

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
  log "runtime: $(docker info --format '{{.DefaultRuntime}}')"
}

main() {
  command -v apt-get >/dev/null 2>&1 || die "this script installs Debian packages and needs apt-get (Debian/Ubuntu)."
  mkdir -p "$CACHE_DIR"
  # One installer at a time on this machine (apt/dpkg locks, and a single dockerd).
  local lock=/run/lock/todo-stack-install-docker.lock
  [[ -w $(dirname "$lock") ]] || lock="$CACHE_DIR/install-docker.lock"
  exec {INSTALL_LOCK_FD}>"$lock"
  flock -w 600 "$INSTALL_LOCK_FD" || die "another install-docker.sh has held $lock for 10 minutes; is it stuck?"

  install_engine
  install_plugins
  configure_runtime
  start_daemon
  reload_runtime
  verify
}

main "$@"
