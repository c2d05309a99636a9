#!/usr/bin/env bash
# CI stage: the Helm chart deploy/helm/todo-stack on a real Kubernetes built from source (tools/test-cluster).
#
#   bash tools/ci/cluster.sh [kwok|node|all]        (default: all; as root, like tools/test-cluster)
#
# kwok  Control plane + kwok fake node (`up.sh --kwok`). Every object goes through the real API server: server-side
#       validation, admission, PodSecurity `restricted` on the namespace. helm install --wait → upgrade (backend
#       replicas 1→3 and a config change, which must roll the pods through the checksum/config annotation) → helm test
#       → rollback → uninstall, with kubectl assertions after each step. kwok completes Job pods (the migration hook)
#       and bare restartPolicy=Never pods (helm test hooks) at once: they prove admission and scheduling, not behaviour.
# node  Real node (`up.sh --ingress --network-policies`: containerd, kubelet, kube-proxy, CoreDNS, local-path storage,
#       Traefik serving the IngressClass `nginx`, kube-router enforcing NetworkPolicies). The backend, PostgreSQL
#       (built from Debian packages) and, when its image exists, the frontend are loaded into the node and installed
#       with pullPolicy Never and networkPolicy.enabled=true; then `helm test` and the scenarios of
#       tools/test-cluster/test/*.test.mjs (node:test: chart, Ingress, NetworkPolicies); after the uninstall,
#       values-prod.yaml with an existing Secret and an "external" PostgreSQL (tools/test-cluster/test/prod/).
#
# Images: BACKEND_IMAGE / FRONTEND_IMAGE / POSTGRES_IMAGE from the environment, else built through Nx (cache hits after
# tools/ci/containers.sh) and read with tools/containers/image-refs.mjs. No frontend image yet: the frontend is deployed
# with replicas 0 (its Deployment and Service still go through the API server) and its helm test is skipped.
# The cluster is torn down (tools/test-cluster/down.sh) on exit, whatever happens. Prints timings; ends with
# "cluster: N passed, N failed".
set -euo pipefail

LOG_PREFIX=cluster
# The test cluster's settings (TC_STATE, HELPER_IMAGE, ...) and its kubectl; log, die, step and the assertions.
source "$(dirname "${BASH_SOURCE[0]}")/../test-cluster/lib.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root=$PWD
mode=${1:-all}
case $mode in kwok | node | all) ;; *) echo "usage: $0 [kwok|node|all]" >&2 && exit 2 ;; esac

[[ $(id -u) -eq 0 ]] || die "run as root: the test cluster needs mounts, iptables and cgroups."
[[ -x node_modules/.bin/nx ]] || die "node_modules is missing: run npm ci first."

NS=todo-ci
RELEASE=todo
CHART=deploy/helm/todo-stack
TC=tools/test-cluster
export NX_TUI=false NX_DAEMON=${NX_DAEMON:-false}

tmp=$(mktemp -d)
cluster_up=0
cleanup() {
  local rc=$?
  if ((cluster_up)); then
    if ((rc != 0)); then
      log "failure: state of namespace $NS"
      kubectl -n "$NS" get all,pvc,events 2>&1 | tail -n 60 >&2 || true
      log "failure: last lines of the add-ons' logs"
      tail -n 25 "$TC_STATE"/logs/{kube-router,traefik}.log >&2 2>/dev/null || true
    fi
    log "tearing the cluster down"
    "$TC/down.sh" >&2 || log "down.sh failed (see above)"
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT

# --- Tools and images --------------------------------------------------------------------------------------------
tools_start=$SECONDS
helm_env=$(tools/helm/install-helm.sh --env) || die "tools/helm/install-helm.sh failed"
eval "$helm_env"
BIN=$("$TC/build.sh") || die "$TC/build.sh failed"
BIN=$BIN/bin # kubectl (lib.sh) runs $BIN/kubectl
export KUBECONFIG=$TC_STATE/admin.kubeconfig

if [[ -z ${POSTGRES_IMAGE:-} || -z ${NODE_BASE_IMAGE:-} ]]; then
  bash tools/ci/install-docker.sh >&2
  refs=$(tools/images/base-images.sh) || die "tools/images/base-images.sh failed"
  eval "$refs"
fi
# build_image APP: `nx run APP:container` (an Nx cache hit after tools/ci/containers.sh), then its ref.
build_image() {
  INPUT_BUILD_ARGS="BASE_IMAGE=$NODE_BASE_IMAGE" npx nx run "$1:container" --outputStyle=static >"$tmp/$1-image.log" 2>&1 || {
    tail -n 40 "$tmp/$1-image.log" >&2
    return 1
  }
  node tools/containers/image-refs.mjs "$1"
}
if [[ -z ${BACKEND_IMAGE:-} ]]; then
  ref=$(build_image backend) || die "nx run backend:container failed"
  eval "$ref"
fi
# The frontend joins as soon as it has a container target (and its image builds).
if [[ -z ${FRONTEND_IMAGE:-} ]] && npx nx show projects --with-target container | grep -qx frontend; then
  ref=$(build_image frontend) || die "nx run frontend:container failed (see above)."
  eval "$ref"
fi
: "${BACKEND_IMAGE:?}" "${POSTGRES_IMAGE:?}"
FRONTEND_IMAGE=${FRONTEND_IMAGE:-}
log "tools and images ($((SECONDS - tools_start))s): $(helm version --template '{{ .Version }}'), kubectl $("$BIN/kubectl" version --client -o json | jq -r .clientVersion.gitVersion)"
log "images: backend $BACKEND_IMAGE, postgresql $POSTGRES_IMAGE, frontend ${FRONTEND_IMAGE:-(none yet: deployed with replicas 0)}"

# values FILE STORAGE_CLASS: the values of every install here (images from this build, never pulled).
values() {
  local frontend_repository=todo-frontend frontend_tag=none frontend_replicas=0
  if [[ -n $FRONTEND_IMAGE ]]; then
    frontend_repository=${FRONTEND_IMAGE%:*} frontend_tag=${FRONTEND_IMAGE##*:} frontend_replicas=1
  fi
  cat >"$1" <<EOF
backend:
  image: { registry: "", repository: "${BACKEND_IMAGE%:*}", tag: "${BACKEND_IMAGE##*:}", pullPolicy: Never }
  replicas: 1
frontend:
  image: { registry: "", repository: "$frontend_repository", tag: "$frontend_tag", pullPolicy: Never }
  replicas: $frontend_replicas
postgresql:
  image: { registry: "", repository: "${POSTGRES_IMAGE%:*}", tag: "${POSTGRES_IMAGE##*:}", pullPolicy: Never }
  persistence: { size: 1Gi, storageClass: "$2" }
EOF
}

# namespace: the release's namespace, PodSecurity `restricted` enforced (and warned, so helm prints any violation).
namespace() {
  kubectl create namespace "$NS" >/dev/null
  kubectl label namespace "$NS" pod-security.kubernetes.io/enforce=restricted \
    pod-security.kubernetes.io/enforce-version=latest pod-security.kubernetes.io/warn=restricted >/dev/null
  expect "namespace $NS enforces" "$(kubectl get ns "$NS" -o jsonpath='{.metadata.labels.pod-security\.kubernetes\.io/enforce}')" restricted
  # The label really is enforced: a privileged pod is refused by the API server.
  local out
  out=$(kubectl -n "$NS" run ps-probe --image=busybox --restart=Never --dry-run=server \
    --overrides='{"spec":{"containers":[{"name":"ps-probe","image":"busybox","securityContext":{"privileged":true}}]}}' 2>&1 || true)
  expect "privileged pod refused by PodSecurity" "$(grep -o 'violates PodSecurity "restricted:latest"' <<<"$out" | head -n 1)" 'violates PodSecurity "restricted:latest"'
  assertions_passed
}

jp() { kubectl -n "$NS" get "$1" -o jsonpath="$2"; }
deploy_name=$RELEASE-todo-stack-backend
backend_checksum() { jp "deployment/$deploy_name" '{.spec.template.metadata.annotations.checksum/config}'; }
# The ReplicaSet currently serving the backend Deployment (the one with the Deployment's revision).
backend_rs() {
  local rev
  rev=$(jp "deployment/$deploy_name" '{.metadata.annotations.deployment\.kubernetes\.io/revision}')
  kubectl -n "$NS" get rs -l app.kubernetes.io/component=backend \
    -o jsonpath="{range .items[?(@.metadata.annotations.deployment\.kubernetes\.io/revision==\"$rev\")]}{.metadata.name}{end}"
}
ready_pods() { kubectl -n "$NS" get pods -l "app.kubernetes.io/component=$1" --field-selector=status.phase=Running -o json |
  jq '[.items[] | select(.metadata.deletionTimestamp == null) | select(any(.status.conditions[]?; .type == "Ready" and .status == "True"))] | length'; }
backend_pods_are() { [[ $(kubectl -n "$NS" get pods -l app.kubernetes.io/component=backend -o name | wc -l) == "$1" ]]; }
nothing_left() { [[ -z $(kubectl -n "$NS" get deploy,sts,rs,job,pods -o name) ]]; }
helm_rev() { helm -n "$NS" status "$RELEASE" -o json | jq -r '"\(.version) \(.info.status)"'; }
# Compares without printing the secret.
same_secret() { [[ $(secret_value BETTER_AUTH_SECRET) == "$auth_secret" ]] && echo kept || echo changed; }
secret_value() { jp "secret/$RELEASE-todo-stack" "{.data.$1}"; }

# === Stage 1: kwok =================================================================================================
kwok_install() {
  values "$tmp/values.yaml" ""
  helm install "$RELEASE" "$CHART" -n "$NS" -f "$tmp/values.yaml" --wait --wait-for-jobs --timeout 3m >"$tmp/helm.log" 2>&1 ||
    { cat "$tmp/helm.log" >&2; return 1; }
  if grep -i 'violate PodSecurity' "$tmp/helm.log" >&2; then return 1; fi
  expect "release" "$(helm_rev)" "1 deployed"
  expect "backend replicas ready" "$(jp "deployment/$deploy_name" '{.status.readyReplicas}')" 1
  expect "frontend replicas" "$(jp "deployment/$RELEASE-todo-stack-frontend" '{.spec.replicas}')" "$([[ -n $FRONTEND_IMAGE ]] && echo 1 || echo 0)"
  expect "postgresql ready" "$(jp "statefulset/$RELEASE-todo-stack-postgresql" '{.status.readyReplicas}')" 1
  expect "data volume claim" "$(jp "pvc/data-$RELEASE-todo-stack-postgresql-0" '{.status.phase}')" Bound
  expect "migration hook Job deleted after success" "$(kubectl -n "$NS" get jobs -o name | wc -l)" 0
  expect "backend pods run as non-root" "$(jp "deployment/$deploy_name" '{.spec.template.spec.securityContext.runAsNonRoot}')" true
  checksum1=$(backend_checksum) rs1=$(backend_rs) auth_secret=$(secret_value BETTER_AUTH_SECRET)
  expect "generated BETTER_AUTH_SECRET" "$([[ ${#auth_secret} -ge 40 ]] && echo set)" set
  assertions_passed
}

kwok_upgrade() {
  helm upgrade "$RELEASE" "$CHART" -n "$NS" -f "$tmp/values.yaml" --set backend.replicas=3 --set backend.config.logLevel=debug \
    --wait --wait-for-jobs --timeout 3m >"$tmp/helm.log" 2>&1 || { cat "$tmp/helm.log" >&2; return 1; }
  expect "release" "$(helm_rev)" "2 deployed"
  expect "backend replicas" "$(jp "deployment/$deploy_name" '{.spec.replicas}')" 3
  expect "backend replicas ready" "$(ready_pods backend)" 3
  expect "LOG_LEVEL in the ConfigMap" "$(jp "configmap/$deploy_name" '{.data.LOG_LEVEL}')" debug
  check "pod template checksum/config changed" expect_changed "$(backend_checksum)" "$checksum1"
  check "backend ReplicaSet changed (the pods rolled)" expect_changed "$(backend_rs)" "$rs1"
  expect "old ReplicaSet scaled down" "$(jp "rs/$rs1" '{.spec.replicas}')" 0
  expect "every backend pod belongs to the new ReplicaSet" \
    "$(kubectl -n "$NS" get pods -l app.kubernetes.io/component=backend -o json | jq -r --arg rs "$(backend_rs)" '[.items[] | select(.metadata.deletionTimestamp == null) | .metadata.ownerReferences[0].name == $rs] | all')" true
  expect "BETTER_AUTH_SECRET across the upgrade" "$(same_secret)" kept
  assertions_passed
}

kwok_helm_test() {
  local filter=()
  [[ -n $FRONTEND_IMAGE ]] || filter=(--filter "name=$RELEASE-todo-stack-test-backend")
  helm test "$RELEASE" -n "$NS" "${filter[@]}" --timeout 2m >"$tmp/helm.log" 2>&1 || { cat "$tmp/helm.log" >&2; return 1; }
  grep -E '^(TEST SUITE|Phase)' "$tmp/helm.log" | head -n 6
  grep -q 'Phase:.*Succeeded' "$tmp/helm.log"
}

kwok_rollback() {
  helm rollback "$RELEASE" 1 -n "$NS" --wait --wait-for-jobs --timeout 3m >"$tmp/helm.log" 2>&1 || { cat "$tmp/helm.log" >&2; return 1; }
  expect "release" "$(helm_rev)" "3 deployed"
  expect "backend replicas" "$(jp "deployment/$deploy_name" '{.spec.replicas}')" 1
  # helm --wait returns once the Deployment is available; the surplus pods may still be terminating.
  wait_until 60 backend_pods_are 1
  expect "backend replicas ready" "$(ready_pods backend)" 1
  expect "LOG_LEVEL in the ConfigMap" "$(jp "configmap/$deploy_name" '{.data.LOG_LEVEL}')" info
  expect "pod template checksum/config back to revision 1" "$(backend_checksum)" "$checksum1"
  expect "revision 1's ReplicaSet serves again" "$(backend_rs)" "$rs1"
  expect "BETTER_AUTH_SECRET across the rollback" "$(same_secret)" kept
  assertions_passed
}

uninstall() {
  helm uninstall "$RELEASE" -n "$NS" --wait --timeout 2m >"$tmp/helm.log" 2>&1 || { cat "$tmp/helm.log" >&2; return 1; }
  expect "release gone" "$(helm -n "$NS" list -q | wc -l)" 0
  # Dependents (ReplicaSets, pods) go by background garbage collection: give it a minute.
  wait_until 60 nothing_left || true
  expect "workloads left" "$(kubectl -n "$NS" get deploy,sts,rs,job,svc,ingress,pdb,cm -l "app.kubernetes.io/instance=$RELEASE" -o name | wc -l)" 0
  expect "pods left" "$(kubectl -n "$NS" get pods -o name | wc -l)" 0
  # Kept on purpose (values: secrets.keepOnUninstall, persistentVolumeClaimRetentionPolicy Retain).
  expect "Secret kept (helm.sh/resource-policy: keep)" "$(kubectl -n "$NS" get secret "$RELEASE-todo-stack" -o name)" "secret/$RELEASE-todo-stack"
  expect "data volume claim kept" "$(kubectl -n "$NS" get pvc -o name)" "persistentvolumeclaim/data-$RELEASE-todo-stack-postgresql-0"
  kubectl delete namespace "$NS" --wait --timeout=2m >/dev/null
  assertions_passed
}

stage_kwok() {
  local start=$SECONDS up
  eval "$("$TC/up.sh" --kwok)"
  cluster_up=1
  up=$((SECONDS - start))
  log "kwok cluster up in ${up}s"
  step "kwok: namespace with PodSecurity restricted" namespace
  step "kwok: helm install --wait" kwok_install
  step "kwok: helm upgrade (backend 1→3 replicas, LOG_LEVEL info→debug rolls the pods)" kwok_upgrade
  step "kwok: helm test" kwok_helm_test
  step "kwok: helm rollback to revision 1" kwok_rollback
  step "kwok: helm uninstall" uninstall
  "$TC/down.sh" >&2
  cluster_up=0
  log "kwok stage: ${up}s cluster up, $((SECONDS - start))s in all"
}

# === Stage 2: real node ============================================================================================
node_install() {
  local images=("$BACKEND_IMAGE" "$POSTGRES_IMAGE") start
  [[ -z $FRONTEND_IMAGE ]] || images+=("$FRONTEND_IMAGE")
  start=$SECONDS
  "$TC/load-image.sh" "${images[@]}" || return 1
  log "images loaded into the node in $((SECONDS - start))s"
  values "$tmp/values.yaml" standard
  start=$SECONDS
  helm install "$RELEASE" "$CHART" -n "$NS" -f "$tmp/values.yaml" --set backend.replicas=2 --set networkPolicy.enabled=true \
    --wait --wait-for-jobs --timeout 5m >"$tmp/helm.log" 2>&1 || { cat "$tmp/helm.log" >&2; return 1; }
  log "helm install --wait: every pod Ready and the migration Job done in $((SECONDS - start))s"
  expect "release" "$(helm_rev)" "1 deployed"
  expect "backend pods Ready" "$(ready_pods backend)" 2
  expect "postgresql pod Ready" "$(ready_pods postgresql)" 1
  [[ -z $FRONTEND_IMAGE ]] || expect "frontend pods Ready" "$(ready_pods frontend)" 1
  expect "data volume" "$(jp "pvc/data-$RELEASE-todo-stack-postgresql-0" '{.spec.storageClassName} {.status.phase}')" "standard Bound"
  assertions_passed
}

node_helm_test() {
  local filter=()
  [[ -n $FRONTEND_IMAGE ]] || filter=(--filter "name=$RELEASE-todo-stack-test-backend")
  if ! helm test "$RELEASE" -n "$NS" "${filter[@]}" --timeout 3m >"$tmp/helm.log" 2>&1; then
    cat "$tmp/helm.log" >&2
    kubectl -n "$NS" logs -l app.kubernetes.io/component=test --prefix --tail=20 >&2 || true
    return 1
  fi
  # (No --logs: the hook-succeeded delete policy removes a passing test pod before helm could read its logs.)
  grep -E '^(TEST SUITE|Phase)' "$tmp/helm.log" | head -n 6
  grep -q 'Phase:.*Succeeded' "$tmp/helm.log"
}

# scenarios FILE...: node:test suites against the real node (KUBECONFIG is exported).
scenarios() {
  CLUSTER_NAMESPACE=$NS CLUSTER_RELEASE=$RELEASE CLUSTER_CHART=$root/$CHART CLUSTER_VALUES=$tmp/values.yaml \
    KUBECTL=$BIN/kubectl HELM=$(command -v helm) FRONTEND_IMAGE=$FRONTEND_IMAGE BACKEND_IMAGE=$BACKEND_IMAGE \
    POSTGRES_IMAGE=$POSTGRES_IMAGE PROBE_IMAGE=$HELPER_IMAGE \
    node --test --test-concurrency=1 --test-reporter=spec "$@"
}
node_scenarios() { scenarios "$TC"/test/*.test.mjs; }
node_prod() { scenarios "$TC"/test/prod/*.test.mjs; }

stage_node() {
  local start=$SECONDS up
  eval "$("$TC/up.sh" --ingress --network-policies)"
  cluster_up=1
  up=$((SECONDS - start))
  log "real-node cluster up in ${up}s"
  step "node: namespace with PodSecurity restricted" namespace
  step "node: load images, helm install --wait" node_install
  step "node: helm test" node_helm_test
  step "node: scenarios (tools/test-cluster/test)" node_scenarios
  step "node: helm uninstall" uninstall
  step "node: values-prod.yaml (existing Secret, external PostgreSQL, TLS, HPAs, PDBs)" node_prod
  log "real-node stage: ${up}s cluster up, $((SECONDS - start))s in all"
}

[[ $mode == node ]] || stage_kwok
[[ $mode == kwok ]] || stage_node
steps_summary
