# shellcheck shell=bash
# Recipes and keys of the base images, for tools/images/base-images.sh (sourced by it): an image's tag and its root
# file system's key are hashes of the files they are built from.

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
      cd "$IMAGES_DIR" || exit
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
