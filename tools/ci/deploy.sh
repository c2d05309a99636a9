#!/usr/bin/env bash
# CI stage for the deploy tooling (no cluster needed). Idempotent.
#   1. the minikube/ helpers parse (bash -n) and the deploy project's Nx configuration resolves
#   2. unit tests of the helm-deploy executor (tools/nx-plugin, Jest): npx nx test nx-plugin
#   3. end-to-end: npx nx run deploy:minikube with fake minikube/docker/kubectl/helm on PATH, plus the task graph
#      and `--affected -t container` checks, and the minikube/*.sh helpers on their own (tools/nx-plugin/e2e):
#      npx nx e2e nx-plugin
#      (its dry-run case renders the real chart with the real helm, built by tools/helm/install-helm.sh)
#   4. the real minikube CLI (built from the Go module proxy by tools/nx-plugin/real-minikube/build.sh) accepts every
#      minikube command line step 3 recorded and answers them, for a profile that does not exist, as the fake does;
#      minikube/*.sh and deploy:minikube --dry-run with it (no cluster): npx nx run nx-plugin:e2e-real-minikube
#   5. npx nx run deploy:template renders the chart with values-dev.yaml (the real helm, from tools/helm)
# Usage: tools/ci/deploy.sh       (TODO_STACK_CACHE overrides the tool cache dir, default ~/.cache/todo-stack)
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../shell/common.sh" # log, die, step
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
# No daemon, as CI: the plugins in the nx process, not a worker each (NX_ISOLATE_PLUGINS, see .ci/run).
export NX_DAEMON=false NX_ISOLATE_PLUGINS=false NX_TUI=false NX_NO_CLOUD=true

# Every script is checked and each failure named; `set -e` is off inside `if ! step`, so a bare loop would pass.
syntax() {
  local script failed=()
  for script in minikube/*.sh tools/ci/deploy.sh tools/test-cluster/suites/executor.sh; do
    bash -n "$script" || failed+=("$script")
  done
  ((${#failed[@]} == 0)) || { echo "bash -n failed: ${failed[*]}" >&2; return 1; }
  npx nx show project deploy --json >/dev/null
}
template() {
  local out
  out="$(npx nx run deploy:template --skip-nx-cache --output-style=static 2>&1)" || { printf '%s\n' "$out"; return 1; }
  grep -q '^kind: Deployment' <<<"$out" || { printf '%s\n' "$out"; echo 'deploy:template rendered no Deployment' >&2; return 1; }
}

helm_tools() {
  local env_file
  env_file="$(mktemp)"
  tools/helm/install-helm.sh --env >"$env_file" || { rm -f "$env_file"; return 1; }
  # shellcheck disable=SC1090
  source "$env_file"
  rm -f "$env_file"
  HELM_BIN="$(command -v helm)"
  export HELM_BIN
  echo "helm: $HELM_BIN ($(helm version --template '{{ .Version }}'))"
}

# The real minikube CLI, checked against the command lines the fake-tool e2e tests record (MINIKUBE_CALLS_LOG).
minikube_calls="$(mktemp)"
trap 'rm -f "$minikube_calls"' EXIT
real_minikube() {
  MINIKUBE_BIN="$(tools/nx-plugin/real-minikube/build.sh)" || return 1
  echo "minikube: $MINIKUBE_BIN"
  MINIKUBE_BIN="$MINIKUBE_BIN" MINIKUBE_CALLS="$minikube_calls" \
    npx nx run nx-plugin:e2e-real-minikube --skip-nx-cache --output-style=static
}

step "helm (tools/helm/install-helm.sh)" helm_tools
step "minikube helpers and deploy project" syntax
step "executor unit tests" npx nx test nx-plugin --skip-nx-cache --output-style=static
# --skip-nx-cache: the next step reads the calls this run records, which a cache hit would not write.
step "deploy:minikube end-to-end (fake tools)" env MINIKUBE_CALLS_LOG="$minikube_calls" \
  npx nx e2e nx-plugin --skip-nx-cache --output-style=static
step "the real minikube CLI: our command lines and its answers (no cluster)" real_minikube
step "deploy:template" template

steps_summary
