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
render() { sed "s#@IMAGE@#$IMAGE#g" "$TC_DIR/smoke/$1"; }
apply() { render "$1" | ks apply -f - >/dev/null; }

# The real node runs an image built here: Node.js on a minimal Debian, imported through Docker when
# an engine runs (the path the app's images take), else packed as an OCI archive.
smoke_image() {
  local key rootfs dir
  key=$(printf 'mmdebstrap --variant=minbase --include=nodejs trixie\n' | sha256sum | cut -c1-12)
  rootfs=$TC_CACHE/smoke-node-$key.tar
  IMAGE=todo-test-cluster/smoke-node:$key
  if [[ ! -f $rootfs ]]; then
    apt_need mmdebstrap
    log "building the smoke test image (mmdebstrap, ~1 min)"
    mmdebstrap --quiet --variant=minbase --include=nodejs trixie "$TC_CACHE/smoke-node-$key.partial.tar" ||
      die "mmdebstrap failed: it needs Debian's package mirror"
    mv "$TC_CACHE/smoke-node-$key.partial.tar" "$rootfs"
  fi
  if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
    docker image inspect "$IMAGE" >/dev/null 2>&1 || docker import "$rootfs" "$IMAGE" >/dev/null
    "$TC_DIR/load-image.sh" "$IMAGE"
  else
    log "no Docker engine: importing the smoke image as an OCI archive"
    dir=$(mktemp -d)
    tar -xf "$rootfs" -C "$dir"
    oci_pack "$TC_CACHE/smoke-node-$key.oci.tar" "docker.io/$IMAGE" "$dir" '"Cmd":["node"]'
    rm -rf "$dir"
    "$TC_DIR/load-image.sh" --archive "$TC_CACHE/smoke-node-$key.oci.tar"
  fi
}

# in_client URL: fetches URL from the client pod (so through the pod network, kube-proxy and DNS).
in_client() {
  ks exec client -- node -e \
    'fetch(process.argv[1], { signal: AbortSignal.timeout(5000) }).then(r => r.text()).then(t => console.log(t))' "$1"
}

# Checks that need more than one command.
jsonpath() { ks get "$1" -o jsonpath="$2" "${@:3}" 2>/dev/null; }
ready_pods() {
  ks get pods -l "app=$1" -o jsonpath='{range .items[*]}{.metadata.name} {.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' |
    awk '$2 == "True" { print $1 }' | sort
}
on_node() { [[ $(jsonpath pods '{.items[*].spec.nodeName}' -l app=web) == "$NODE $NODE" ]]; }
ready_endpoints() { [[ $(ks get endpointslices -l kubernetes.io/service-name=web -o jsonpath='{range .items[*].endpoints[?(@.conditions.ready==true)]}x{end}') == "$1" ]]; }
apply_strict() { render "$1" | kubectl apply --validate=strict -n "$2" -f - "${@:3}"; }
serves_web() { in_client "$1" | grep -q '"host":"web-'; }
host_serves_web() { curl -fsS --max-time 5 "$1" | grep -q '"host":"web-'; }
logs_contain() { ks logs "$1" | grep -q "$2"; }
unhealthy_503_reported() {
  ks get events --field-selector reason=Unhealthy -o jsonpath='{.items[*].message}' |
    grep -q 'Readiness probe failed: HTTP probe failed with statuscode: 503'
}
probe_failed() { # the kubelet reports the failing probe, and the pod stays unready
  ks wait --for=jsonpath='{.status.phase}'=Running pod -l app=never-ready --timeout="$WAIT" >/dev/null || return
  wait_until 60 unhealthy_503_reported || true
  ks get events --field-selector reason=Unhealthy -o jsonpath='{.items[*].message}'
  [[ $(ks get pod -l app=never-ready -o jsonpath='{.items[0].status.conditions[?(@.type=="Ready")].status}') == False ]]
}
two_other_ready_web_pods() { # two_other_ready_web_pods BEFORE
  local after
  after=$(ready_pods web)
  [[ $(wc -l <<<"$after") == 2 && $after != "$1" ]]
}
replaced() { # replaced BEFORE: two Ready web pods again, not the same set
  ks rollout status deployment/web --timeout="$WAIT" >/dev/null || return
  wait_until 60 two_other_ready_web_pods "$1"
}
store_url() { echo "http://$(jsonpath pod/store-0 '{.status.podIP}'):8080/"; }
store_pod_uid_changed() { # store_pod_uid_changed OLD_UID
  local uid
  uid=$(jsonpath pod/store-0 '{.metadata.uid}')
  [[ -n $uid && $uid != "$1" ]]
}
store_recreated() { # store_recreated OLD_UID
  wait_until 60 store_pod_uid_changed "$1" || true
  ks wait --for=condition=Ready pod/store-0 --timeout="$WAIT"
}
same_stamp() { [[ $(in_client "$(store_url)") == "$1" ]]; }
provisioned_by() { [[ $(kubectl get pv -o jsonpath='{.items[*].metadata.annotations.pv\.kubernetes\.io/provisioned-by}') == "$1" ]]; }
volumes_released() { [[ -z $(kubectl get pv -o name) ]] || kubectl wait --for=delete pv --all --timeout=60s; }

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
