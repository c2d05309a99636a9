# shellcheck shell=bash
# Building a base image, for tools/images/base-images.sh (sourced by it): the root file system with mmdebstrap
# (imported into Docker and reused while its key holds), then the image's Dockerfile on top.

image_present() { docker image inspect "$1" >/dev/null 2>&1; }
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
