#!/usr/bin/env bash
# CI stage: container images through Nx, real-container tests, compose smoke test with a real PostgreSQL.
#
#   bash tools/ci/containers.sh
#
# 1. Docker engine + buildx + compose (tools/ci/install-docker.sh) and the local base images (tools/images).
# 2. `npx nx run-many -t container` with BASE_IMAGE = the local Node base (INPUT_BUILD_ARGS): first run (cold or
#    warm, whatever the Nx cache holds), then a second run that must be all cache hits with the same image tags.
# 3. A backend source change must give a new backend tag (and only the backend is affected); reverting it gives the
#    original tag back from the Nx cache. Skipped with CONTAINERS_SKIP_TAG_CHECK=1 or a dirty apps/backend/src/main.ts.
# 4. `npx nx run containers:e2e`: the node:test suites under tools/containers/test (each image, then compose).
# Prints timings and sizes (docs/benchmarks.md). Containers, volumes and compose projects it creates are named
# ts-ct-* / ts-ci-* and removed; the todo-*:nx-* images stay (the deploy uses them).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../shell/common.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
[[ -x node_modules/.bin/nx ]] || die "node_modules is missing: run npm ci first."

bash tools/ci/install-docker.sh
refs=$(tools/images/base-images.sh) || die "tools/images/base-images.sh failed (see above)."
set -a
eval "$refs"
set +a
: "${NODE_BASE_IMAGE:?base-images.sh printed no NODE_BASE_IMAGE}" "${POSTGRES_IMAGE:?base-images.sh printed no POSTGRES_IMAGE}"
export INPUT_BUILD_ARGS="BASE_IMAGE=$NODE_BASE_IMAGE"
export NX_TUI=false NX_SKIP_NX_CACHE=false

# Apps with a `container` target; the suites need both apps' images, so a missing one fails (never skips).
mapfile -t apps < <(npx nx show projects --with-target container | sort)
for app in backend frontend; do
  [[ " ${apps[*]} " == *" $app "* ]] || die "$app has no container target: the container suites need its image."
done
log "apps with a container target: ${apps[*]}"

seconds_since() { echo $(($(date +%s%N) / 1000000 - $1)); }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
refs_now() { node tools/containers/image-refs.mjs "${apps[@]}"; }

# Runs `nx run-many -t container`, prints its log on failure, and the number of tasks read from the cache.
build_all() {
  local out=$1
  shift
  if ! npx nx run-many -t container --projects="$(IFS=,; echo "${apps[*]}")" --outputStyle=static "$@" >"$out" 2>&1; then
    tail -n 60 "$out" >&2
    die "nx run-many -t container failed (full log: $out)."
  fi
}
# Nx colours its output when CI=true, even into a file: compare the text without escape sequences.
plain() { sed -E 's/\x1b\[[0-9;]*m//g' "$1"; }
cached_container_tasks() { plain "$1" | grep -cE '^> nx run [a-z-]+:container +\[(local|remote) cache\]' || true; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

start=$(now_ms)
build_all "$tmp/first.log"
first_ms=$(seconds_since "$start")
first_refs=$(refs_now)
log "first build: ${first_ms} ms ($(cached_container_tasks "$tmp/first.log")/${#apps[@]} container tasks from the Nx cache)"

start=$(now_ms)
build_all "$tmp/second.log"
second_ms=$(seconds_since "$start")
second_refs=$(refs_now)
cached=$(cached_container_tasks "$tmp/second.log")
((cached == ${#apps[@]})) || {
  cat "$tmp/second.log" >&2
  die "second build with no change: only $cached/${#apps[@]} container tasks were Nx cache hits (log above)."
}
[[ $first_refs == "$second_refs" ]] || die "second build changed the tags: $first_refs → $second_refs"
log "second build, no change: ${second_ms} ms, all ${cached} container tasks from the Nx cache, same tags"

# 3. A backend change gives a new tag; reverting it restores the old one from the cache ----------------------------
probe_file=apps/backend/src/main.ts
if [[ ${CONTAINERS_SKIP_TAG_CHECK:-0} == 1 ]]; then
  log "tag change check skipped (CONTAINERS_SKIP_TAG_CHECK=1)"
elif ! git diff --quiet -- "$probe_file" 2>/dev/null; then
  log "tag change check skipped: $probe_file has uncommitted changes"
else
  affected=$(npx nx show projects --affected --files="$probe_file" --with-target container | sort | tr '\n' ' ')
  [[ $affected == "backend " ]] || die "a change in $probe_file should affect only the backend image, got: $affected"
  old_ref=$(node tools/containers/image-refs.mjs backend)
  cp "$probe_file" "$tmp/main.ts.orig"
  restore() { cp "$tmp/main.ts.orig" "$probe_file"; }
  trap 'restore; rm -rf "$tmp"' EXIT
  # A statement the bundle keeps (a side effect), so the build output really changes.
  printf '\nprocess.env.TODO_STACK_TAG_PROBE ??= %s;\n' "'$(date +%s%N)'" >>"$probe_file"
  start=$(now_ms)
  npx nx run backend:container --outputStyle=static >"$tmp/probe.log" 2>&1 || {
    restore
    tail -n 40 "$tmp/probe.log" >&2
    die "building the backend image with a probe change failed."
  }
  probe_ms=$(seconds_since "$start")
  new_ref=$(node tools/containers/image-refs.mjs backend)
  restore
  [[ $new_ref != "$old_ref" ]] || die "a backend source change kept the tag $old_ref."
  docker rmi "${new_ref#*=}" >/dev/null # the probe image, ours
  npx nx run backend:container --outputStyle=static >"$tmp/revert.log" 2>&1 || die "rebuilding the backend image after reverting the probe failed."
  # Either label means Nx did not run the executor: the image came from the cache entry of the original hash.
  # Grep a file, not a pipe: under pipefail `plain | grep -q` fails when grep's early exit cuts sed off (SIGPIPE)
  # while sed still writes the replayed build log: it once reported a miss on a log that showed the cache hit.
  plain "$tmp/revert.log" >"$tmp/revert.txt"
  grep -qE 'backend:container +\[(local cache|existing outputs match the cache, left as is)\]' "$tmp/revert.txt" || {
    tail -n 40 "$tmp/revert.txt" >&2
    die "reverting the change did not hit the Nx cache (its log is above)."
  }
  [[ $(node tools/containers/image-refs.mjs backend) == "$old_ref" ]] || die "reverting the change did not restore $old_ref."
  log "backend change → ${new_ref#*=} (affected: ${affected% }; ${probe_ms} ms); reverted → ${old_ref#*=} again (cache)"
fi

# 4. Real-container tests: their Nx target (tools/containers/project.json), on the images built above -------------
set -a
eval "$(refs_now)"
set +a
npx nx run containers:e2e --outputStyle=static

printf '\n[containers] summary\n'
printf '  %s\n' "${first_refs//$'\n'/$'\n'  }"
printf '  base image: %s\n  nx run-many -t container, first run: %s ms; second run (no change): %s ms\n' "$NODE_BASE_IMAGE" "$first_ms" "$second_ms"
for app in "${apps[@]}"; do
  ref_var="${app^^}_IMAGE"
  printf '  %s: %s MB (base %s MB)\n' "${!ref_var}" \
    "$(docker image inspect -f '{{.Size}}' "${!ref_var}" | awk '{printf "%.1f", $1/1e6}')" \
    "$(docker image inspect -f '{{.Size}}' "$NODE_BASE_IMAGE" | awk '{printf "%.1f", $1/1e6}')"
done
