#!/usr/bin/env bash
# Copies into <dir> the root file system of a Node.js runtime and nothing else: node, every library it loads, the
# JavaScript builtins Debian's node reads from files, OpenSSL's configuration with the CA certificates, the time zone
# database, os-release, and a passwd/group with root and the app user 10001. No shell, no package manager, no perl.
#
#   runtime-rootfs.sh <dir>
#
# Runs in the builder stage of tools/images/node-base/Dockerfile, inside the full Debian root file system; the
# image itself is `FROM scratch` + <dir>. /var/lib/dpkg/status.d/ lists the Debian packages the files come from
# (as distroless images do), so image scanners still see what is inside.
set -euo pipefail

(($# == 1)) || {
  echo "usage: $0 <dir>" >&2
  exit 2
}
readonly out=$1
readonly APP_UID=10001 APP_NAME=app

paths=()
# add <path>...: a path, with its directory resolved (merged /usr: /lib64/x is /usr/lib64/x) and, for a symlink,
# what it points to.
add() {
  local path canonical
  for path in "$@"; do
    [[ -e $path || -L $path ]] || {
      echo "runtime-rootfs: $path does not exist" >&2
      return 1
    }
    canonical="$(readlink -f "$(dirname "$path")")/$(basename "$path")"
    paths+=("$canonical")
    [[ -L $canonical ]] && paths+=("$(readlink -f "$canonical")")
  done
  return 0
}

# The merged-/usr links of the root (the ELF interpreter is /lib64/ld-linux-x86-64.so.2).
for link in /bin /sbin /lib /lib32 /lib64 /libx32; do
  [[ -L $link ]] && paths+=("$link")
done

add /usr/bin/node
# ldd prints the whole closure of shared libraries, the dynamic loader included.
mapfile -t libraries < <(ldd /usr/bin/node | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
((${#libraries[@]} > 3)) || {
  echo "runtime-rootfs: ldd found no libraries of /usr/bin/node" >&2
  exit 1
}
add "${libraries[@]}"
# glibc's compatibility stubs (their symbols are in libc.so.6 since glibc 2.34), which native addons linked against an
# older glibc still name, such as Next.js' SWC and Turbopack binary (live update runs `next dev` on this image). The
# official node images have them with the rest of libc6.
libc=$(printf '%s\n' "${libraries[@]}" | grep '/libc\.so\.6$' | head -n 1)
for stub in libdl.so.2 libpthread.so.0 librt.so.1 libm.so.6; do
  if [[ -e $(dirname "$libc")/$stub ]]; then add "$(dirname "$libc")/$stub"; fi
done

# Builtins (undici for fetch, acorn, …) that Debian's node loads from /usr/share/nodejs instead of embedding them.
mapfile -t builtins < <(node -e '
  for (const define of process.config.target_defaults.defines)
    if (/^NODE_SHARED_BUILTIN_\w+_PATH=/.test(define)) console.log(define.split("=")[1]);')
add "${builtins[@]}"

# OpenSSL's configuration (node reads its nodejs_conf section) and the CA store node verifies TLS against
# (/etc/ssl/certs links into /usr/share/ca-certificates); the legacy provider for --openssl-legacy-provider.
libcrypto=$(printf '%s\n' "${libraries[@]}" | grep '/libcrypto\.so\.' | head -n 1)
add /etc/ssl /usr/share/ca-certificates
for link in /usr/lib/ssl/*; do # OpenSSL's directory: links to /etc/ssl (misc/ holds perl scripts: not wanted)
  [[ -L $link ]] && add "$link"
done
[[ -d $(dirname "$libcrypto")/ossl-modules ]] && add "$(dirname "$libcrypto")/ossl-modules"

# Time zones (TZ=Europe/Berlin, /etc/localtime = UTC), name service switch, os-release for scanners and tools.
add /usr/share/zoneinfo /etc/localtime /etc/nsswitch.conf /etc/os-release

mkdir -p "$out"
printf '%s\n' "${paths[@]}" | LC_ALL=C sort -u | while IFS= read -r path; do
  cp -a --parents "$path" "$out/"
done

# Users: root and the unprivileged user the app images run as (numeric 10001:10001, with a name for tools that look
# one up, e.g. os.userInfo()). No shadow file: nobody logs in.
mkdir -p "$out/etc" "$out/root" "$out/home/$APP_NAME" "$out/tmp"
printf '%s\n' 'root:x:0:0:root:/root:/usr/sbin/nologin' \
  "$APP_NAME:x:$APP_UID:$APP_UID:$APP_NAME:/home/$APP_NAME:/usr/sbin/nologin" >"$out/etc/passwd"
printf '%s\n' 'root:x:0:' "$APP_NAME:x:$APP_UID:" >"$out/etc/group"
chmod 644 "$out/etc/passwd" "$out/etc/group"
chmod 700 "$out/root"
chown "$APP_UID:$APP_UID" "$out/home/$APP_NAME"
chmod 700 "$out/home/$APP_NAME"
chmod 1777 "$out/tmp"

# The Debian packages these files come from, one dpkg status stanza each.
mkdir -p "$out/var/lib/dpkg/status.d"
(cd "$out" && find . -type f -printf '/%P\n') | xargs dpkg-query -S 2>/dev/null |
  sed -n 's/: \/.*//p' | tr ',' '\n' | sed 's/^ *//; s/:.*//' | LC_ALL=C sort -u |
  while IFS= read -r package; do
    dpkg-query -s "$package" >"$out/var/lib/dpkg/status.d/$package"
  done || true
[[ -s $out/var/lib/dpkg/status.d/nodejs ]] || {
  echo "runtime-rootfs: could not record the Debian packages" >&2
  exit 1
}
