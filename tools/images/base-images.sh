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
# load_recipe, content_key, rootfs_key, image_ref; build_image; save_image, cached_tarball, load_image.
source "$IMAGES_DIR/lib/recipe.sh"
source "$IMAGES_DIR/lib/build.sh"
source "$IMAGES_DIR/lib/cache.sh"

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
}

require_docker() {
  command -v docker >/dev/null 2>&1 || die "docker is not installed. Run: bash tools/ci/install-docker.sh"
  docker info >/dev/null 2>&1 ||
    die "the Docker daemon does not answer 'docker info'. Run: bash tools/ci/install-docker.sh (it starts dockerd)."
  docker buildx version >/dev/null 2>&1 ||
    die "'docker buildx' is missing. Run: bash tools/ci/install-docker.sh"
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
