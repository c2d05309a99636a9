#!/usr/bin/env bash
# Regenerates the Parameters table of deploy/helm/todo-stack/README.md from the `## @param` lines of values.yaml
# (readme-generator-for-helm), or with --check fails when the committed table is out of date or a value lacks its
# `@param` line.
#   deploy/helm/test/readme.sh            update README.md in place
#   deploy/helm/test/readme.sh --check    verify only (CI)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
chart="$(cd "$here/../todo-stack" && pwd)"
check=false
[[ "${1:-}" == "--check" ]] && check=true

if [[ -z "${TODO_STACK_NODE_MODULES:-}" ]]; then
  eval "$("$here/../../../tools/helm/install-helm.sh" --env)"
fi
generator="$TODO_STACK_NODE_MODULES/.bin/readme-generator"
[[ -x "$generator" ]] || { echo "readme.sh: $generator is missing; run tools/helm/install-helm.sh" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp "$chart/README.md" "$tmp/README.md"
if ! "$generator" --values "$chart/values.yaml" --readme "$tmp/README.md" >"$tmp/log" 2>&1; then
  cat "$tmp/log" >&2
  echo "readme.sh: values.yaml metadata is inconsistent (every key needs a '## @param key Description' line)" >&2
  exit 1
fi

if cmp -s "$chart/README.md" "$tmp/README.md"; then
  echo "readme.sh: the Parameters table of $chart/README.md matches values.yaml"
elif $check; then
  diff -u "$chart/README.md" "$tmp/README.md" >&2 || true
  echo "readme.sh: the Parameters table is out of date: run deploy/helm/test/readme.sh and commit README.md" >&2
  exit 1
else
  cp "$tmp/README.md" "$chart/README.md"
  echo "readme.sh: updated the Parameters table of $chart/README.md"
fi
