# shellcheck shell=bash
# The release under test, for both stages of tools/test-cluster/suites/chart.sh (sourced by it): its values, its namespace, queries
# on what it runs, and the uninstall both stages end with.

# values FILE STORAGE_CLASS: the values of every install here (images from this build, never pulled).
values() {
  cat >"$1" <<EOF
backend:
  image: { registry: "", repository: "${BACKEND_IMAGE%:*}", tag: "${BACKEND_IMAGE##*:}", pullPolicy: Never }
  replicas: 1
frontend:
  image: { registry: "", repository: "${FRONTEND_IMAGE%:*}", tag: "${FRONTEND_IMAGE##*:}", pullPolicy: Never }
  replicas: 1
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
BACKEND_DEPLOYMENT=$RELEASE-todo-stack-backend
backend_checksum() { jp "deployment/$BACKEND_DEPLOYMENT" '{.spec.template.metadata.annotations.checksum/config}'; }
# The ReplicaSet currently serving the backend Deployment (the one with the Deployment's revision).
backend_rs() {
  local rev
  rev=$(jp "deployment/$BACKEND_DEPLOYMENT" '{.metadata.annotations.deployment\.kubernetes\.io/revision}')
  kubectl -n "$NS" get rs -l app.kubernetes.io/component=backend \
    -o jsonpath="{range .items[?(@.metadata.annotations.deployment\.kubernetes\.io/revision==\"$rev\")]}{.metadata.name}{end}"
}
ready_pods() { kubectl -n "$NS" get pods -l "app.kubernetes.io/component=$1" --field-selector=status.phase=Running -o json |
  jq '[.items[] | select(.metadata.deletionTimestamp == null) | select(any(.status.conditions[]?; .type == "Ready" and .status == "True"))] | length'; }
backend_pods_are() { [[ $(kubectl -n "$NS" get pods -l app.kubernetes.io/component=backend -o name | wc -l) == "$1" ]]; }
nothing_left() { [[ -z $(kubectl -n "$NS" get deploy,sts,rs,job,pods -o name) ]]; }
helm_rev() { helm -n "$NS" status "$RELEASE" -o json | jq -r '"\(.version) \(.info.status)"'; }
# Compares without printing the secret.
same_secret() { [[ $(secret_value BETTER_AUTH_SECRET) == "$AUTH_SECRET" ]] && echo kept || echo changed; }
secret_value() { jp "secret/$RELEASE-todo-stack" "{.data.$1}"; }

uninstall() {
  helm uninstall "$RELEASE" -n "$NS" --wait --timeout 2m >"$WORK/helm.log" 2>&1 || { cat "$WORK/helm.log" >&2; return 1; }
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

