#!/usr/bin/env bash
# CI stage for the Helm chart deploy/helm/todo-stack (no cluster needed). Idempotent; fast on a warm machine.
#   1. tools: helm, helm-unittest, kubeconform, Kubernetes schemas, npm helpers (cached outside the clone)
#   2. README: the Parameters table matches values.yaml
#   3. helm lint --strict + helm template validated against the Kubernetes API schemas, for every values case
#   4. helm-unittest suites (deploy/helm/todo-stack/tests/*_test.yaml)
#   5. policy tests over everything the chart renders (tools/helm/test/*.test.mjs)
# Usage: tools/ci/chart.sh        (TODO_STACK_CACHE overrides the cache dir, default ~/.cache/todo-stack)
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../shell/common.sh" # log, die, step
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

tools_start=$SECONDS
echo "::: chart: tools"
env_file="$(mktemp)"
trap 'rm -f "$env_file"' EXIT
tools/helm/install-helm.sh --env >"$env_file"
# shellcheck disable=SC1090
source "$env_file"
echo "::: chart: tools ok ($((SECONDS - tools_start))s): $(helm version --template '{{ .Version }}'), helm-unittest $(sed -n 's/^version: *"\{0,1\}\([^"]*\)"\{0,1\}/\1/p' "$HELM_PLUGINS/helm-unittest/plugin.yaml"), Kubernetes schemas $TODO_STACK_KUBERNETES_VERSION"

step "README parameters table" tools/helm/readme.sh --check
step "lint, template and schema validation" node tools/helm/check-chart.mjs
step "helm unittest" helm unittest --strict deploy/helm/todo-stack
step "policy tests" node --test --test-reporter=spec tools/helm/test/*.test.mjs

steps_summary
