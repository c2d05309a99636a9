#!/usr/bin/env bash
# Lints every shell script of the repository with ShellCheck (the Debian package `shellcheck`), configured by
# .shellcheckrc. Scripts: files named *.sh, and files whose first line is a sh/bash shebang (.ci/run, mmdebstrap
# hooks), tracked or new (not ignored). Fails on any finding, whatever its severity.
#   tools/shell/shellcheck.sh            every script (what `nx run shell:lint` and `npm test` run)
#   tools/shell/shellcheck.sh FILE...    only these
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

command -v shellcheck >/dev/null 2>&1 ||
  die "shellcheck is not installed. Install the Debian package: apt-get install -y shellcheck (CI: tools/ci/install-system-packages.sh)."

# shell_scripts: the repository's shell scripts, one per line.
shell_scripts() {
  local file
  while IFS= read -r -d '' file; do
    [[ -f $file ]] || continue # deleted in the work tree
    if [[ $file == *.sh ]] || { [[ ${file##*/} != *.* ]] && head -n 1 "$file" | grep -Eq '^#!.*[/ ](ba)?sh( |$)'; }; then
      printf '%s\n' "$file"
    fi
  done < <(git ls-files -z --cached --others --exclude-standard)
}

files=("$@")
((${#files[@]})) || mapfile -t files < <(shell_scripts)
((${#files[@]})) || die "no shell scripts found (is this a git work tree?)."
shellcheck --version | sed -n 's/^version: /shellcheck /p' >&2
if ! shellcheck --format=gcc "${files[@]}"; then
  die "shellcheck reported the findings above. Fix them; a deliberate exception is a '# shellcheck disable=SCxxxx # reason' on the line before."
fi
log "${#files[@]} scripts, no findings"
