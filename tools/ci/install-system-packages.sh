#!/usr/bin/env bash
# Debian packages the test suites need. Idempotent: skips apt when everything is already there.
set -euo pipefail

# ShellCheck lints every shell script (tools/shell/shellcheck.sh, in npm test as shell:lint).
# gcc, libc6-dev and busybox-static: the test cluster's build (tools/test-cluster/build.sh), which .ci/run starts in
# the background and which must not run apt-get beside the Docker install.
PACKAGES=(postgresql ca-certificates git shellcheck gcc libc6-dev busybox-static)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages present: ${PACKAGES[*]}"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "missing packages (${missing[*]}): run as root or install them with apt-get" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
