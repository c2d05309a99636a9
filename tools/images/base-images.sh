#!/usr/bin/env bash
# Builds the project's base images from Debian packages (no registry needed), cached by content.
#
#   tools/images/base-images.sh [ensure] [IMAGE...]   make sure the images exist in the local Docker daemon, then
#                                                     print their references (default command; IMAGE: node-base,
#                                                     postgres; default: all)
#   tools/images/base-images.sh --print-env [IMAGE...]  only print the references; no Docker work
#   tools/images/base-images.sh rebuild [IMAGE...]    build again from scratch even when cached, e.g. to pick up
#                                                     Debian security updates (replaces the cached tarball)
#
# stdout carries only `NAME=reference` lines (e.g. NODE_BASE_IMAGE=todo-stack/node-base:0123456789ab), usable as
# `eval "$(tools/images/base-images.sh)"` or as a `docker compose --env-file`; progress goes to stderr.
#
# Each image is described by tools/images/<image>/ (image.conf: packages; hooks/: mmdebstrap hooks; Dockerfile: the
# image configuration) plus tools/images/lib/rootfs.sh (Debian release and what is left out). Its tag is a hash of
# those files, so it changes exactly when the recipe changes. `ensure` does, per image:
#   1. the tag is in the daemon              -> nothing to do
#   2. $TODO_STACK_CACHE/images/<image>-<key>.tar.zst (or .tar.gz without zstd) exists  -> docker load it
#   3. otherwise build it (mmdebstrap | docker import, then the Dockerfile on top) and save that tarball.
# The imported root file system stays in the daemon as <repo>-rootfs:<key>, keyed by lib/rootfs.sh, image.conf and
# hooks/ only, so a change to an image's Dockerfile or entrypoint rebuilds in seconds.
set -euo pipefail

IMAGES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly IMAGES_DIR
readonly ALL_IMAGES=(node-base postgres)
readonly CACHE_DIR="${TODO_STACK_CACHE:-$HOME/.cache/todo-stack}/images"

# shellcheck source=lib/rootfs.sh
source "$IMAGES_DIR/lib/rootfs.sh"

source "$IMAGES_DIR/../shell/common.sh"

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
}

# Loads tools/images/<image>/image.conf into IMAGE_* variables.
load_recipe() {
  local image=$1
  [[ -f $IMAGES_DIR/$image/image.conf ]] ||
    die "unknown image '$image' (known: ${ALL_IMAGES[*]})."
  unset IMAGE_REPO IMAGE_ENV_NAME IMAGE_SUITE IMAGE_PACKAGES IMAGE_VERSION_PACKAGE
  # shellcheck source=node-base/image.conf
  source "$IMAGES_DIR/$image/image.conf"
  : "${IMAGE_REPO:?image.conf of $image must set IMAGE_REPO}" "${IMAGE_ENV_NAME:?}" "${IMAGE_VERSION_PACKAGE:?}"
  IMAGE_SUITE=${IMAGE_SUITE:-$ROOTFS_DEFAULT_SUITE}
}

# A hash of files under tools/images/ (paths, contents and executable bits) and the architecture.
#   hash_recipe <path>...
hash_recipe() {
  {
    printf 'arch %s\n' "$(dpkg --print-architecture)"
    (
      cd "$IMAGES_DIR"
      find "$@" -type f -print0 | LC_ALL=C sort -z |
        while IFS= read -r -d '' file; do
          printf '%s %s %s\n' "$file" "$([[ -x $file ]] && echo x || echo -)" "$(sha256sum <"$file" | cut -c1-64)"
        done
    )
  } | sha256sum | cut -c1-12
}

# The image's tag: everything in its recipe directory plus the shared rootfs recipe.
content_key() { hash_recipe lib/rootfs.sh "$1"; }

# The root file system's key: only what mmdebstrap uses, so that editing the Dockerfile or the entrypoint
# reuses the imported root file system (kept in the daemon as <repo>-rootfs:<key>) and rebuilds in seconds.
rootfs_key() {
  local paths=(lib/rootfs.sh "$1/image.conf")
  [[ -d $IMAGES_DIR/$1/hooks ]] && paths+=("$1/hooks")
  hash_recipe "${paths[@]}"
}

image_ref() { printf '%s:%s' "$IMAGE_REPO" "$(content_key "$1")"; }

image_present() { docker image inspect "$1" >/dev/null 2>&1; }

require_docker() {
  command -v docker >/dev/null 2>&1 || die "docker is not installed. Run: bash tools/ci/install-docker.sh"
  docker info >/dev/null 2>&1 ||
    die "the Docker daemon does not answer 'docker info'. Run: bash tools/ci/install-docker.sh (it starts dockerd)."
  docker buildx version >/dev/null 2>&1 ||
    die "'docker buildx' is missing. Run: bash tools/ci/install-docker.sh"
}

require_mmdebstrap() {
  command -v mmdebstrap >/dev/null 2>&1 && return 0
  [[ $(id -u) -eq 0 ]] ||
    die "mmdebstrap is not installed. Install it (sudo apt-get install -y mmdebstrap) and run this again."
  log "installing mmdebstrap"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null 2>&1 || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null
  } || die "apt-get install mmdebstrap failed."
}

# Debian version -> upstream version: 24.22.2+dfsg+~cs24.19.2-1 -> 24.22.2
upstream_version() {
  local v=${1#*:}
  printf '%s' "${v%%[-+~]*}"
}

# Runs a command with its output in a log file; on failure shows the end of the log.
run_logged() {
  local logfile=$1
  shift
  if ! "$@" >>"$logfile" 2>&1; then
    tail -n 30 "$logfile" >&2
    die "'$*' failed; the last lines of $logfile are above."
  fi
}

build_image() {
  local image=$1 ref=$2 key=$3
  local rootfs_repo="$IMAGE_REPO-rootfs" logfile="$CACHE_DIR/logs/$image-$key.log"
  local rootfs_ref
  rootfs_ref="$rootfs_repo:$(rootfs_key "$image")"
  mkdir -p "$CACHE_DIR/logs"
  find "$CACHE_DIR/logs" -name "$image-*.log" -delete
  : >"$logfile"
  local start=$SECONDS
  if image_present "$rootfs_ref"; then
    log "$image: reusing the root file system $rootfs_ref"
  else
    require_mmdebstrap
    log "$image: building the root file system (mmdebstrap $IMAGE_SUITE: ${IMAGE_PACKAGES[*]}); log: $logfile"
    if ! rootfs_build "$IMAGE_SUITE" "$IMAGES_DIR/$image" "${IMAGE_PACKAGES[@]}" 2>>"$logfile" |
      docker import - "$rootfs_ref" >>"$logfile" 2>&1; then
      docker image rm "$rootfs_ref" >/dev/null 2>&1 || true
      tail -n 30 "$logfile" >&2
      die "$image: building the root file system failed; the last lines of $logfile are above."
    fi
    log "$image: root file system imported as $rootfs_ref in $((SECONDS - start))s"
    # Root file systems of older recipes go (the images built on them keep their layers), except the newest
    # other one: two branches with different recipes on one machine (a CI run of main, a branch) then do not
    # rebuild each other's. `docker image ls` lists the newest first.
    docker image ls --format '{{.Repository}}:{{.Tag}}' "$rootfs_repo" | grep -vxF "$rootfs_ref" | tail -n +2 |
      xargs -r docker image rm >/dev/null 2>&1 || true
  fi

  local package_version
  package_version=$(docker run --rm --network none --entrypoint dpkg-query "$rootfs_ref" \
    -W -f '${Version}' "$IMAGE_VERSION_PACKAGE") ||
    die "$image: cannot read the version of $IMAGE_VERSION_PACKAGE in $rootfs_ref."
  run_logged "$logfile" docker buildx build --load --progress=plain \
    --build-arg ROOTFS_IMAGE="$rootfs_ref" \
    --build-arg UPSTREAM_VERSION="$(upstream_version "$package_version")" \
    --build-arg PACKAGE_VERSION="$package_version" \
    --build-arg CONTENT_KEY="$key" \
    --tag "$ref" "$IMAGES_DIR/$image"
  log "$image: built $ref ($IMAGE_VERSION_PACKAGE $package_version) in $((SECONDS - start))s"
}

# Cached tarballs are zstd-compressed when zstd is installed (5x faster than gzip here), else gzip.
# (docker load of Debian's docker.io 20.10 reads gzip but not zstd, so zstd goes through a pipe.)
tarball_ext() { command -v zstd >/dev/null 2>&1 && echo tar.zst || echo tar.gz; }

save_image() {
  local image=$1 ref=$2 tarball=$3 start=$SECONDS
  local -a compress=(gzip -1)
  [[ $tarball == *.zst ]] && compress=(zstd -q -T0 -3)
  if ! docker save "$ref" | "${compress[@]}" >"$tarball.tmp.$$"; then
    rm -f "$tarball.tmp.$$"
    die "$image: docker save $ref | ${compress[*]} failed."
  fi
  mv -f "$tarball.tmp.$$" "$tarball"
  # Tarballs of older recipes of this image go, except the newest other one (see build_image).
  find "$CACHE_DIR" -maxdepth 1 -name "$image-*.tar.*" ! -path "$tarball" -printf '%T@ %p\n' | sort -rn |
    tail -n +2 | cut -d' ' -f2- | xargs -r rm -f
  log "$image: saved $tarball ($(du -h "$tarball" | cut -f1)) in $((SECONDS - start))s"
}

# The cached tarball of an image version, if there is one this machine can read.
cached_tarball() {
  local base="$CACHE_DIR/$1-$2"
  if [[ -s $base.tar.zst ]] && command -v zstd >/dev/null 2>&1; then
    echo "$base.tar.zst"
  elif [[ -s $base.tar.gz ]]; then
    echo "$base.tar.gz"
  else
    return 1
  fi
}

load_image() {
  local tarball=$1
  case $tarball in
    *.zst) zstd -dc "$tarball" | docker load ;;
    *) docker load -i "$tarball" ;;
  esac
}

ensure_image() {
  local image=$1 force=$2
  load_recipe "$image"
  local key ref tarball cached
  key=$(content_key "$image")
  ref="$IMAGE_REPO:$key"
  tarball="$CACHE_DIR/$image-$key.$(tarball_ext)"

  mkdir -p "$CACHE_DIR"
  # One builder per image on this machine; a second caller waits and then finds the image.
  local lock_fd
  exec {lock_fd}>"$CACHE_DIR/$image.lock"
  flock -w 1200 "$lock_fd" || die "$image: another build has held $CACHE_DIR/$image.lock for 20 minutes."

  local start=$SECONDS
  if [[ $force == 1 ]]; then
    # From scratch, root file system included (e.g. to pick up Debian security updates).
    local previous
    previous=$(docker image inspect -f '{{.Id}}' "$ref" 2>/dev/null || true)
    docker image rm "$IMAGE_REPO-rootfs:$(rootfs_key "$image")" >/dev/null 2>&1 || true
    build_image "$image" "$ref" "$key"
    save_image "$image" "$ref" "$tarball"
    # The image the tag pointed to before is now untagged; remove it unless a container still uses it.
    [[ -z $previous || $previous == "$(docker image inspect -f '{{.Id}}' "$ref")" ]] ||
      docker image rm "$previous" >/dev/null 2>&1 || true
  elif image_present "$ref"; then
    log "$image: $ref is present"
  elif cached=$(cached_tarball "$image" "$key"); then
    tarball=$cached
    log "$image: loading $tarball"
    if ! load_image "$tarball" >/dev/null || ! image_present "$ref"; then
      rm -f "$tarball"
      die "$image: $tarball did not load as $ref and has been removed; run this again to rebuild it."
    fi
    log "$image: loaded $ref in $((SECONDS - start))s"
  else
    build_image "$image" "$ref" "$key"
    save_image "$image" "$ref" "$tarball"
  fi
  exec {lock_fd}>&-
  ENSURED_LINES+=("$IMAGE_ENV_NAME=$ref")
}

main() {
  local command=ensure
  case ${1:-} in
    ensure | rebuild) command=$1 && shift ;;
    print-env | --print-env) command=print-env && shift ;;
    -h | --help | help)
      usage
      return 0
      ;;
  esac
  local images=("$@")
  ((${#images[@]})) || images=("${ALL_IMAGES[@]}")

  local image
  case $command in
    print-env)
      for image in "${images[@]}"; do
        load_recipe "$image"
        printf '%s=%s\n' "$IMAGE_ENV_NAME" "$(image_ref "$image")"
      done
      ;;
    ensure | rebuild)
      require_docker
      ENSURED_LINES=()
      for image in "${images[@]}"; do
        ensure_image "$image" "$([[ $command == rebuild ]] && echo 1 || echo 0)"
      done
      printf '%s\n' "${ENSURED_LINES[@]}"
      ;;
  esac
}

main "$@"
