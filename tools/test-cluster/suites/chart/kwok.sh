# shellcheck shell=bash
# Stage 1 of tools/test-cluster/suites/chart.sh (sourced by it): the chart on the control plane with a kwok fake node.
kwok_install() {
  values "$WORK/values.yaml" ""
  helm install "$RELEASE" "$CHART" -n "$NS" -f "$WORK/values.yaml" --wait --wait-for-jobs --timeout 3m >"$WORK/helm.log" 2>&1 ||
    { cat "$WORK/helm.log" >&2; return 1; }
  if grep -i 'violate PodSecurity' "$WORK/helm.log" >&2; then return 1; fi
  expect "release" "$(helm_rev)" "1 deployed"
  expect "backend replicas ready" "$(jp "deployment/$BACKEND_DEPLOYMENT" '{.status.readyReplicas}')" 1
  expect "frontend replicas" "$(jp "deployment/$RELEASE-todo-stack-frontend" '{.spec.replicas}')" 1
  expect "postgresql ready" "$(jp "statefulset/$RELEASE-todo-stack-postgresql" '{.status.readyReplicas}')" 1
  expect "data volume claim" "$(jp "pvc/data-$RELEASE-todo-stack-postgresql-0" '{.status.phase}')" Bound
  expect "migration hook Job deleted after success" "$(kubectl -n "$NS" get jobs -o name | wc -l)" 0
  expect "backend pods run as non-root" "$(jp "deployment/$BACKEND_DEPLOYMENT" '{.spec.template.spec.securityContext.runAsNonRoot}')" true
  checksum1=$(backend_checksum) rs1=$(backend_rs) AUTH_SECRET=$(secret_value BETTER_AUTH_SECRET)
  expect "generated BETTER_AUTH_SECRET" "$([[ ${#AUTH_SECRET} -ge 40 ]] && echo set)" set
  assertions_passed
}

kwok_upgrade() {
  helm upgrade "$RELEASE" "$CHART" -n "$NS" -f "$WORK/values.yaml" --set backend.replicas=3 --set backend.config.logLevel=debug \
    --wait --wait-for-jobs --timeout 3m >"$WORK/helm.log" 2>&1 || { cat "$WORK/helm.log" >&2; return 1; }
  expect "release" "$(helm_rev)" "2 deployed"
  expect "backend replicas" "$(jp "deployment/$BACKEND_DEPLOYMENT" '{.spec.replicas}')" 3
  expect "backend replicas ready" "$(ready_pods backend)" 3
  expect "LOG_LEVEL in the ConfigMap" "$(jp "configmap/$BACKEND_DEPLOYMENT" '{.data.LOG_LEVEL}')" debug
  check "pod template checksum/config changed" expect_changed "$(backend_checksum)" "$checksum1"
  check "backend ReplicaSet changed (the pods rolled)" expect_changed "$(backend_rs)" "$rs1"
  expect "old ReplicaSet scaled down" "$(jp "rs/$rs1" '{.spec.replicas}')" 0
  expect "every backend pod belongs to the new ReplicaSet" \
    "$(kubectl -n "$NS" get pods -l app.kubernetes.io/component=backend -o json | jq -r --arg rs "$(backend_rs)" '[.items[] | select(.metadata.deletionTimestamp == null) | .metadata.ownerReferences[0].name == $rs] | all')" true
  expect "BETTER_AUTH_SECRET across the upgrade" "$(same_secret)" kept
  assertions_passed
}

kwok_helm_test() {
  helm test "$RELEASE" -n "$NS" --timeout 2m >"$WORK/helm.log" 2>&1 || { cat "$WORK/helm.log" >&2; return 1; }
  grep -E '^(TEST SUITE|Phase)' "$WORK/helm.log" | head -n 6
  grep -q 'Phase:.*Succeeded' "$WORK/helm.log"
}

kwok_rollback() {
  helm rollback "$RELEASE" 1 -n "$NS" --wait --wait-for-jobs --timeout 3m >"$WORK/helm.log" 2>&1 || { cat "$WORK/helm.log" >&2; return 1; }
  expect "release" "$(helm_rev)" "3 deployed"
  expect "backend replicas" "$(jp "deployment/$BACKEND_DEPLOYMENT" '{.spec.replicas}')" 1
  # helm --wait returns once the Deployment is available; the surplus pods may still be terminating.
  wait_until 60 backend_pods_are 1
  expect "backend replicas ready" "$(ready_pods backend)" 1
  expect "LOG_LEVEL in the ConfigMap" "$(jp "configmap/$BACKEND_DEPLOYMENT" '{.data.LOG_LEVEL}')" info
  expect "pod template checksum/config back to revision 1" "$(backend_checksum)" "$checksum1"
  expect "revision 1's ReplicaSet serves again" "$(backend_rs)" "$rs1"
  expect "BETTER_AUTH_SECRET across the rollback" "$(same_secret)" kept
  assertions_passed
}

stage_kwok() {
  local start=$SECONDS up
  cluster_up --kwok
  up=$((SECONDS - start))
  log "kwok cluster up in ${up}s"
  step "kwok: namespace with PodSecurity restricted" namespace
  step "kwok: helm install --wait" kwok_install
  step "kwok: helm upgrade (backend 1→3 replicas, LOG_LEVEL info→debug rolls the pods)" kwok_upgrade
  step "kwok: helm test" kwok_helm_test
  step "kwok: helm rollback to revision 1" kwok_rollback
  step "kwok: helm uninstall" uninstall
  cluster_down
  log "kwok stage: ${up}s cluster up, $((SECONDS - start))s in all"
}

