#!/usr/bin/env bash
# The chart's checks (no cluster needed), behind the targets of the Nx project `chart` (deploy/helm/project.json); idempotent, fast on a warm machine.
#   deploy/helm/test/checks.sh lint   README parameters table vs values.yaml; helm lint --strict and helm template
#                                     validated against the Kubernetes API schemas, for every values case (npx nx run chart:lint)
#   deploy/helm/test/checks.sh test   helm-unittest suites (../todo-stack/tests/*_test.yaml) and the policy tests over
#                                     everything the chart renders (*.test.mjs here) (npx nx run chart:test)
# Tools (helm, helm-unittest, kubeconform, the schemas) come from tools/helm/install-helm.sh, cached outside the clone
# (TODO_STACK_CACHE, default ~/.cache/todo-stack).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../../../tools/shell/common.sh" # log, die, step
cd "$here/../../.."
mode=${1:-}
[[ $mode == lint || $mode == test ]] || die "usage: $0 lint|test"

tools_start=$SECONDS
env_file="$(mktemp)"
trap 'rm -f "$env_file"' EXIT
tools/helm/install-helm.sh --env >"$env_file"
# shellcheck disable=SC1090
source "$env_file"
echo "::: chart: tools ok ($((SECONDS - tools_start))s): $(helm version --template '{{ .Version }}'), helm-unittest $(sed -n 's/^version: *"\{0,1\}\([^"]*\)"\{0,1\}/\1/p' "$HELM_PLUGINS/helm-unittest/plugin.yaml"), Kubernetes schemas $TODO_STACK_KUBERNETES_VERSION"

if [[ $mode == lint ]]; then
  step "README parameters table" deploy/helm/test/readme.sh --check
  step "lint, template and schema validation" node deploy/helm/test/check-chart.mjs
else
  step "helm unittest" helm unittest --strict deploy/helm/todo-stack
  step "policy tests" node --test --test-reporter=spec deploy/helm/test/*.test.mjs
fi

steps_summary
