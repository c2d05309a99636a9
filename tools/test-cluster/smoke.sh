#!/usr/bin/env bash
# Proves the running test cluster works, with small manifests of its own (smoke/).
#   Control plane (both modes): a Deployment and its Service get pods Running and Ready on the node,
#   a StatefulSet's claim is bound, the API server refuses invalid objects, PodSecurity "restricted"
#   refuses a privileged pod.
#   Real node (up.sh without --kwok): a locally built image runs, readiness probes are real, a Service
#   answers by ClusterIP and by DNS name from another pod and from the host, logs and exec work,
#   deleted pods are replaced, and a volume's data outlives its pod.
# Ends with "N passed, N failed" and exits non-zero on any failure. Leaves the cluster as it found it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$TC_DIR/images/oci-pack.sh"
need_root "$@"

[[ -f $TC_STATE/mode ]] || die "no test cluster: start one with $TC_DIR/up.sh (or up.sh --kwok)"
MODE=$(<"$TC_STATE/mode")
BIN=$(build_dir)/bin
export KUBECONFIG=$TC_STATE/admin.kubeconfig
ks() { kubectl -n smoke "$@"; } # kubectl: lib.sh's
WAIT=${SMOKE_TIMEOUT:-180s}
source "$TC_DIR/smoke/checks.sh" # smoke_image, render/apply, and the conditions the checks below use

if [[ $MODE == node ]]; then NODE=$NODE_NAME; smoke_image; else NODE=$KWOK_NODE_NAME IMAGE=smoke/never-pulled:kwok; fi
log "smoke test: $MODE mode, node $NODE"
kubectl delete namespace smoke --ignore-not-found --wait=true >/dev/null
kubectl apply -f "$TC_DIR/smoke/namespace.yaml" >/dev/null
ks wait --for=create serviceaccount/default --timeout=30s >/dev/null

echo "control plane"
apply web.yaml
apply store.yaml
check "Deployment web: 2 pods Running and Ready" ks rollout status deployment/web --timeout="$WAIT"
check "pods scheduled on $NODE" on_node
check "Service web: 2 ready endpoints" ready_endpoints xx
check "StatefulSet store: claim bound, pod Ready" ks rollout status statefulset/store --timeout="$WAIT"
check "PersistentVolumeClaim data-store-0 Bound" ks wait --for=jsonpath='{.status.phase}'=Bound pvc/data-store-0 --timeout=30s
check "API server refuses an out-of-range port" \
  expect_refused 'spec.ports\[0\].port: Invalid value: 70000' apply_strict invalid-port.yaml smoke
check "API server refuses an unknown field (strict field validation)" \
  expect_refused 'unknown field "spec.ports\[0\].protocl"' apply_strict unknown-field.yaml smoke
check "PodSecurity restricted refuses a privileged pod" \
  expect_refused 'violates PodSecurity "restricted:latest": privileged' apply_strict privileged-pod.yaml smoke
check "the same pod passes where PodSecurity is not enforced" apply_strict privileged-pod.yaml default --dry-run=server

if [[ $MODE == node ]]; then
  echo "real node"
  apply node.yaml
  ip=$(jsonpath service/web '{.spec.clusterIP}')
  check "client pod Ready" ks wait --for=condition=Ready pod/client --timeout="$WAIT"
  check "a failing readiness probe keeps a running pod unready" probe_failed
  check "Service by ClusterIP from another pod" serves_web "http://$ip/"
  check "Service by DNS name from another pod" serves_web http://web.smoke.svc.cluster.local/
  check "Service by short DNS name (search path)" serves_web http://web/
  check "Service by ClusterIP from the host" host_serves_web "http://$ip/"
  port=$(jsonpath service/web-nodeport '{.spec.ports[0].nodePort}')
  check "Service by NodePort on the node's address" host_serves_web "http://$(<"$TC_STATE/node-ip"):$port/"
  check "Service by NodePort on localhost" host_serves_web "http://127.0.0.1:$port/"
  check "container logs (API server -> kubelet)" logs_contain deployment/web 'listening on 8080'

  before=$(ready_pods web)
  ks delete pod "$(head -n 1 <<<"$before")" --wait=true >/dev/null
  check "a deleted Deployment pod is replaced by a new Ready one" replaced "$before"

  stamp=$(in_client "$(store_url)" 2>&1 || true)
  check "PersistentVolume provisioned by local-path" provisioned_by rancher.io/local-path
  check "volume written by a non-root pod" grep -q '"stamp":"store-0@' <<<"$stamp"
  uid=$(jsonpath pod/store-0 '{.metadata.uid}')
  ks delete pod store-0 --wait=true >/dev/null
  check "StatefulSet pod replaced" store_recreated "$uid"
  check "volume data survives the pod" same_stamp "$stamp"
fi

kubectl delete namespace smoke --wait=true --timeout="$WAIT" >/dev/null
check "namespace deleted, its volumes released" volumes_released

assert_summary
