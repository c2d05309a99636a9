# shellcheck shell=bash
# The part of the base-image recipe that every image shares: which Debian release, which archive areas, and what is
# left out of the root file system. Sourced by tools/images/base-images.sh. This file is part of every image's
# content key, so any change here rebuilds all base images.

readonly ROOTFS_SUITE=trixie
readonly ROOTFS_VARIANT=minbase

# Debian trixie with its point-release updates and security updates.
rootfs_sources() {
  local mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
  local security=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
  printf '%s\n' \
    "deb $mirror $ROOTFS_SUITE main" \
    "deb $mirror $ROOTFS_SUITE-updates main" \
    "deb $security $ROOTFS_SUITE-security main"
}

# Files dpkg never unpacks (the rule stays in the image's /etc/dpkg/dpkg.cfg.d/, so derived images keep it).
# Licences (copyright files) are kept.
readonly -a ROOTFS_DPKG_OPTIONS=(
  'path-exclude=/usr/share/doc/*'
  'path-include=/usr/share/doc/*/copyright'
  'path-exclude=/usr/share/man/*'
  'path-exclude=/usr/share/info/*'
  'path-exclude=/usr/share/locale/*'
  'path-exclude=/usr/share/lintian/*'
)

# Writes the root file system of an image as a tarball to stdout.
#   rootfs_build <recipe dir> <package>...
# Hooks in <recipe dir>/hooks/ (named setup*, essential*, customize*) run at mmdebstrap's stages with the root
# directory as $1.
rootfs_build() {
  local recipe_dir=$1
  shift
  local -a args=(
    --variant="$ROOTFS_VARIANT"
    --include="$(IFS=,; printf '%s' "$*")"
    --aptopt='APT::Install-Recommends "false"'
  )
  local opt
  for opt in "${ROOTFS_DPKG_OPTIONS[@]}"; do
    args+=(--dpkgopt="$opt")
  done
  [[ -d $recipe_dir/hooks ]] && args+=(--hook-directory="$recipe_dir/hooks")
  # Keep nothing of the build host or of the package manager's run in the image: mmdebstrap copies the host's
  # resolv.conf and hostname in (the container engine provides both at run time), and leaves caches and logs.
  # shellcheck disable=SC2016 # "$1" is expanded by the hook's shell: the root directory
  args+=(
    --customize-hook='rm -f "$1/etc/resolv.conf" "$1/etc/hostname"'
    --customize-hook='rm -rf "$1"/var/cache/debconf/*-old "$1"/var/lib/dpkg/*-old "$1"/var/cache/ldconfig/aux-cache "$1"/var/log/apt/eipp.log.xz'
  )
  local -a sources
  mapfile -t sources < <(rootfs_sources)
  mmdebstrap --quiet "${args[@]}" "$ROOTFS_SUITE" - "${sources[@]}"
}
