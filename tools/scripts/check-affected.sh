#!/usr/bin/env bash
# Shows that `nx affected` runs only what a change touches. In a throwaway git worktree of HEAD, it
# commits one change at a time and compares `nx show projects --affected` (what `nx affected -t <target>`
# runs) with the expected projects. Exits non-zero on any difference.
#   tools/scripts/check-affected.sh                   # uses HEAD
set -euo pipefail
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

failures=0
# check <target> <file to change> <expected projects, space-separated, sorted>
check() {
  local target=$1 file=$2 expected=$3 actual
  git reset --quiet --hard HEAD
  printf '\n// affected-check\n' >>"$file"
  git -c user.name=check -c user.email=check@localhost commit --quiet -am "touch $file"
  actual=$(npx nx show projects --affected --base=HEAD~1 --head=HEAD --withTarget="$target" 2>/dev/null | sort | xargs)
  git reset --quiet --hard HEAD~1
  if [ "$actual" = "$expected" ]; then
    printf 'ok    %-10s after a change to %-40s -> %s\n' "$target" "$file" "$actual"
  else
    printf 'FAIL  %-10s after a change to %-40s -> %s (expected %s)\n' "$target" "$file" "${actual:-nothing}" "$expected"
    failures=$((failures + 1))
  fi
}

while read -r target file expected; do
  [ -z "$target" ] || [ "${target:0:1}" = "#" ] && continue
  check "$target" "$file" "$expected"
done <"$root/tools/scripts/affected-cases.txt"

exit $((failures > 0))
