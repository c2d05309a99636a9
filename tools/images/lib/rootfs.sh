# shellcheck shell=bash
# The part of the base-image recipe that every image shares: which Debian release, which archive areas, and what is
# left out of the root file system. Sourced by tools/images/base-images.sh. This file is part of every image's
# content key, so any change here rebuilds all base images.

# The Debian release of an image, unless its image.conf sets IMAGE_SUITE (e.g. unstable, for a newer package).
# shellcheck disable=SC2034 # read by base-images.sh
readonly ROOTFS_DEFAULT_SUITE=trixie
readonly ROOTFS_VARIANT=minbase

# A release with its point-release updates and security updates; unstable has neither.
#   rootfs_sources <suite>
rootfs_sources() {
  local suite=$1
  local mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
  local security=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
  printf 'deb %s %s main\n' "$mirror" "$suite"
  [[ $suite == unstable || $suite == sid ]] && return 0
  printf '%s\n' "deb $mirror $suite-updates main" "deb $security $suite-security main"
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
#   rootfs_build <suite> <recipe dir> <package>...
# Hooks in <recipe dir>/hooks/ (named setup*, essential*, customize*) run at mmdebstrap's stages with the root
# directory as $1.
rootfs_build() {
  local suite=$1 recipe_dir=$2
  shift 2
  local -a args=(
    --variant="$ROOTFS_VARIANT"
    --include="$(IFS=,; printf '%s' "$*")"
    --aptopt='APT::Install-Recommends "false"'
  )
  # unstable's Release file is valid for a week only and a mirror that is not kept current serves an expired one;
  # its signature is still checked.
  [[ $suite == unstable || $suite == sid ]] && args+=(--aptopt='Acquire::Check-Valid-Until "false"')
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
  mapfile -t sources < <(rootfs_sources "$suite")
  mmdebstrap --quiet "${args[@]}" "$suite" - "${sources[@]}"
}
