# shellcheck shell=bash
# Stage 2 of tools/test-cluster/suites/chart.sh (sourced by it): the chart on a real node, then the scenarios of tools/test-cluster/test.
node_install() {
  local images=("$BACKEND_IMAGE" "$POSTGRES_IMAGE" "$FRONTEND_IMAGE") start
  start=$SECONDS
  "$TC/load-image.sh" "${images[@]}" || return 1
  log "images loaded into the node in $((SECONDS - start))s"
  values "$WORK/values.yaml" standard
  start=$SECONDS
  # Both front doors of the chart, each on its own host name: the Ingress (todo.local, the default IngressClass) and the
  # HTTPRoute on a Gateway of the release (gateway.todo.local), both served by Traefik (deploy/front-door/traefik.yaml).
  helm install "$RELEASE" "$CHART" -n "$NS" -f "$WORK/values.yaml" --set backend.replicas=2 --set networkPolicy.enabled=true \
    --set httpRoute.enabled=true --set gateway.create=true --set httpRoute.tls=false \
    --set 'httpRoute.hostnames[0]=gateway.todo.local' \
    --wait --wait-for-jobs --timeout 5m >"$WORK/helm.log" 2>&1 || { cat "$WORK/helm.log" >&2; return 1; }
  log "helm install --wait: every pod Ready and the migration Job done in $((SECONDS - start))s"
  expect "release" "$(helm_rev)" "1 deployed"
  expect "backend pods Ready" "$(ready_pods backend)" 2
  expect "postgresql pod Ready" "$(ready_pods postgresql)" 1
  expect "frontend pods Ready" "$(ready_pods frontend)" 1
  expect "data volume" "$(jp "pvc/data-$RELEASE-todo-stack-postgresql-0" '{.spec.storageClassName} {.status.phase}')" "standard Bound"
  assertions_passed
}

node_helm_test() {
  if ! helm test "$RELEASE" -n "$NS" --timeout 3m >"$WORK/helm.log" 2>&1; then
    cat "$WORK/helm.log" >&2
    kubectl -n "$NS" logs -l app.kubernetes.io/component=test --prefix --tail=20 >&2 || true
    return 1
  fi
  # (No --logs: the hook-succeeded delete policy removes a passing test pod before helm could read its logs.)
  grep -E '^(TEST SUITE|Phase)' "$WORK/helm.log" | head -n 6
  grep -q 'Phase:.*Succeeded' "$WORK/helm.log"
}

# scenarios FILE...: node:test suites against the real node (KUBECONFIG is exported).
scenarios() {
  CLUSTER_NAMESPACE=$NS CLUSTER_RELEASE=$RELEASE CLUSTER_CHART=$ROOT/$CHART CLUSTER_VALUES=$WORK/values.yaml \
    KUBECTL=$BIN/kubectl HELM=$(command -v helm) FRONTEND_IMAGE=$FRONTEND_IMAGE BACKEND_IMAGE=$BACKEND_IMAGE \
    POSTGRES_IMAGE=$POSTGRES_IMAGE PROBE_IMAGE=$HELPER_IMAGE \
    node --test --test-concurrency=1 --test-reporter=spec "$@"
}
node_scenarios() { scenarios "$TC"/test/*.test.mjs; }
node_prod() { scenarios "$TC"/test/prod/*.test.mjs; }

stage_node() {
  local start=$SECONDS up
  cluster_up --ingress --network-policies --metrics-server
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

