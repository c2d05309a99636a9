#!/usr/bin/env bash
# Starts the single-node test cluster in the background and waits until it is ready.
#   up.sh           real node: etcd, kube-apiserver, controller-manager, scheduler, containerd,
#                   kubelet, kube-proxy, CoreDNS, local-path-provisioner
#   up.sh --kwok    control plane only, with a kwok fake node (no containers run)
# Add-ons of the real node (built by addons/build.sh, a cache of their own):
#   --ingress            the front door of Minikube: Gateway API CRDs + Traefik (GatewayClass and IngressClass `traefik`) on ports 80/443
#   --network-policies   kube-router's NetworkPolicy controller (iptables + ipset) on the host
#   --registry           an image registry (distribution, addons/registry) on localhost:16500 that the node pulls from
#   --metrics-server     metrics-server (addons/metrics-server): the metrics.k8s.io API of HPAs and `kubectl top`
# Idempotent: running it again starts only what is not running. Prints `export KUBECONFIG=...`.
# Env: TEST_CLUSTER_TIMEOUT (seconds to wait for each component, default 180).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$TC_DIR/pki.sh"

MODE=node INGRESS=0 NETWORK_POLICIES=0 REGISTRY=0 METRICS_SERVER=0
for arg; do
  case $arg in
    --kwok) MODE=kwok ;;
    --ingress) INGRESS=1 ;;
    --network-policies) NETWORK_POLICIES=1 ;;
    --registry) REGISTRY=1 ;;
    --metrics-server) METRICS_SERVER=1 ;;
    *) die "usage: $0 [--kwok | [--ingress] [--network-policies] [--registry] [--metrics-server]]" ;;
  esac
done
[[ $MODE == node ]] || ((INGRESS + NETWORK_POLICIES + REGISTRY + METRICS_SERVER == 0)) ||
  die "--ingress, --network-policies, --registry and --metrics-server need the real node (no --kwok)"
need_root "$@"
TIMEOUT=${TEST_CLUSTER_TIMEOUT:-180}
started=$SECONDS

BUILD=$("$TC_DIR/build.sh")
BIN=$BUILD/bin
((INGRESS + NETWORK_POLICIES == 0)) || ADDONS=$("$TC_DIR/addons/build.sh")
((REGISTRY == 0)) || REGISTRY_BIN=$("$TC_DIR/addons/registry/build.sh")
((METRICS_SERVER == 0)) || METRICS_SERVER_BUILD=$("$TC_DIR/addons/metrics-server/build.sh")
apt_need openssl curl iptables conntrack jq
[[ $MODE == kwok ]] || apt_need runc containernetworking-plugins

mkdir -p "$TC_STATE/logs" "$TC_RUN"
if [[ -f $TC_STATE/mode && $(<"$TC_STATE/mode") != "$MODE" ]]; then
  die "a cluster in mode '$(<"$TC_STATE/mode")' is already set up: run $TC_DIR/down.sh first"
fi
echo "$MODE" >"$TC_STATE/mode"

# The address pods and the node use to reach the API server: the one of the default route's interface.
dev=$(ip -4 route show default | awk '{print $5; exit}')
NODE_IP=$(ip -4 -o addr show dev "${dev:-none}" 2>/dev/null | awk '{sub(/\/.*/, "", $4); print $4; exit}')
[[ -n $NODE_IP ]] || die "no IPv4 default route: the node needs an address that is not loopback"
if [[ -f $TC_STATE/node-ip && $(<"$TC_STATE/node-ip") != "$NODE_IP" ]]; then
  die "this machine's address changed since the cluster was set up: run $TC_DIR/down.sh, then $0"
fi
echo "$NODE_IP" >"$TC_STATE/node-ip"

export KUBECONFIG=$TC_STATE/admin.kubeconfig

source "$TC_DIR/components.sh" # start, ready, healthz, apply_manifest

# --- Control plane -------------------------------------------------------------------------------
gen_pki "$NODE_IP"
for c in admin:admin controller-manager:controller-manager scheduler:scheduler kube-proxy:kube-proxy kubelet:kubelet-client; do
  kubeconfig "${c%:*}" "${c#*:}"
done
P=$TC_STATE/pki

# Test data only: no fsync, so etcd stays fast on slow disks (state is thrown away by down.sh).
start etcd "$BIN/etcd" --name=default --data-dir="$TC_STATE/etcd" --unsafe-no-fsync \
  --listen-client-urls="http://127.0.0.1:$ETCD_CLIENT_PORT" --advertise-client-urls="http://127.0.0.1:$ETCD_CLIENT_PORT" \
  --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster="default=http://127.0.0.1:$ETCD_PEER_PORT"
ready etcd etcd healthz "http://127.0.0.1:$ETCD_CLIENT_PORT/health"

# --allow-privileged: privileged pods are allowed by the API server so that PodSecurity (per
# namespace, `pod-security.kubernetes.io/enforce`) is what decides, as on a real cluster.
start kube-apiserver "$BIN/kube-apiserver" --etcd-servers="http://127.0.0.1:$ETCD_CLIENT_PORT" \
  --bind-address=0.0.0.0 --secure-port="$APISERVER_PORT" --advertise-address="$NODE_IP" \
  --service-cluster-ip-range="$SERVICE_CIDR" --allow-privileged=true \
  --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
  --client-ca-file="$P/ca.crt" --tls-cert-file="$P/apiserver.crt" --tls-private-key-file="$P/apiserver.key" \
  --kubelet-client-certificate="$P/apiserver-kubelet-client.crt" --kubelet-client-key="$P/apiserver-kubelet-client.key" \
  --kubelet-certificate-authority="$P/ca.crt" --kubelet-preferred-address-types=InternalIP,Hostname \
  --service-account-issuer="https://kubernetes.default.svc.cluster.local" \
  --service-account-key-file="$P/sa.pub" --service-account-signing-key-file="$P/sa.key" --profiling=false \
  --requestheader-client-ca-file="$P/front-proxy-ca.crt" --requestheader-allowed-names=front-proxy-client \
  --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
  --requestheader-extra-headers-prefix=X-Remote-Extra- \
  --proxy-client-cert-file="$P/front-proxy-client.crt" --proxy-client-key-file="$P/front-proxy-client.key"
ready kube-apiserver "kube-apiserver (https://127.0.0.1:$APISERVER_PORT)" kubectl get --raw=/readyz

start kube-controller-manager "$BIN/kube-controller-manager" --kubeconfig="$TC_STATE/controller-manager.kubeconfig" \
  --authentication-kubeconfig="$TC_STATE/controller-manager.kubeconfig" --authorization-kubeconfig="$TC_STATE/controller-manager.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port="$KCM_PORT" --leader-elect=false --use-service-account-credentials=true \
  --service-account-private-key-file="$P/sa.key" --root-ca-file="$P/ca.crt" \
  --cluster-signing-cert-file="$P/ca.crt" --cluster-signing-key-file="$P/ca.key" \
  --service-cluster-ip-range="$SERVICE_CIDR" --profiling=false
start kube-scheduler "$BIN/kube-scheduler" --kubeconfig="$TC_STATE/scheduler.kubeconfig" \
  --authentication-kubeconfig="$TC_STATE/scheduler.kubeconfig" --authorization-kubeconfig="$TC_STATE/scheduler.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port="$SCHEDULER_PORT" --leader-elect=false --profiling=false
ready kube-controller-manager kube-controller-manager healthz "https://127.0.0.1:$KCM_PORT/healthz"
ready kube-scheduler kube-scheduler healthz "https://127.0.0.1:$SCHEDULER_PORT/healthz"
ready kube-controller-manager "default ServiceAccount" kubectl -n default get serviceaccount default

# --- Fake node ------------------------------------------------------------------------------------
if [[ $MODE == kwok ]]; then
  start kwok "$BIN/kwok" --kubeconfig="$KUBECONFIG" --config="$BUILD/kwok-stages.yaml" --config="$TC_DIR/kwok/pod-complete-bare.yaml" \
    --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake --node-lease-duration-seconds=40 \
    --server-address="127.0.0.1:$KWOK_PORT" --cidr=10.245.0.0/16 --node-ip="$NODE_IP"
  apply_manifest "$TC_DIR/manifests/kwok-node.yaml"
  ready kwok "node $KWOK_NODE_NAME" kubectl wait --for=condition=Ready "node/$KWOK_NODE_NAME" --timeout=1s
  log "cluster up (kwok) in $((SECONDS - started))s; kubectl $K8S_VERSION: $BIN/kubectl"
  echo "export KUBECONFIG=$KUBECONFIG"
  exit 0
fi

# --- Real node ------------------------------------------------------------------------------------
source "$TC_DIR/real-node.sh" # host_network, start_node
host_network
start_node

log "cluster up (real node) in $((SECONDS - started))s; kubectl $K8S_VERSION: $BIN/kubectl"
echo "export KUBECONFIG=$KUBECONFIG"
