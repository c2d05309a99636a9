#!/usr/bin/env bash
# Shows that `nx affected` runs only what a change touches. In a throwaway git worktree of HEAD, it
# commits one change at a time and compares `nx show projects --affected` (what `nx affected -t <target>`
# runs) with the expected projects. Exits non-zero on any difference.
#   tools/scripts/check-affected.sh                   # uses HEAD
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../shell/common.sh" # check, expect_eq, assert_summary
root=$(git rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$work" >/dev/null 2>&1 || rm -rf "$work"' EXIT

git -C "$root" worktree add --detach --quiet "$work" HEAD
ln -s "$root/node_modules" "$work/node_modules"
for pkg in "$root"/apps/*/node_modules "$root"/libs/*/node_modules "$root"/tools/*/node_modules; do
  [ -d "$pkg" ] && ln -s "$pkg" "$work/${pkg#"$root"/}"
done
cd "$work"
export NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE=true

# affected_by <target> <file to change>: the projects with <target> (`*`: any project) that a commit touching <file>
# affects (sorted).
affected_by() {
  local target=$1 file=$2 actual filter=()
  [[ $target == '*' ]] || filter=(--withTarget="$target")
  git reset --quiet --hard HEAD
  printf '\n// affected-check\n' >>"$file"
  git -c user.name=check -c user.email=check@localhost commit --quiet -am "touch $file"
  actual=$(npx nx show projects --affected --base=HEAD~1 --head=HEAD "${filter[@]}" 2>/dev/null | sort | xargs)
  git reset --quiet --hard HEAD~1
  echo "${actual:-nothing}"
}

while read -r target file expected; do
  if [[ -z $target || $target == "#"* ]]; then continue; fi
  check "$(printf '%-10s after a change to %-40s -> %s' "$target" "$file" "$expected")" \
    expect_eq "$(affected_by "$target" "$file")" "$expected"
done <"$root/tools/scripts/affected-cases.txt"

assert_summary
