# shellcheck shell=bash
# The tarball cache of built images ($CACHE_DIR), for tools/images/base-images.sh (sourced by it).

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
