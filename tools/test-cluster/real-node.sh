# shellcheck shell=bash
# The real node of up.sh (sourced by it, after the control plane is up): the host's network for pods, containerd with
# the locally built images, kubelet, kube-proxy, the optional add-ons, CoreDNS and local-path storage.
source "$TC_DIR/node.sh" # write_node_config

# host_network: the sysctls, the bridge and the FORWARD rule the pods' traffic needs.
host_network() {
  local ipt rule
  # Bridged pod traffic must pass iptables (Services), and the host must route for pods.
  sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1 net.bridge.bridge-nf-call-ip6tables=1 ||
    die "cannot set the bridge/forwarding sysctls (is br_netfilter available?)"
  # Service addresses are virtual: one without an iptables rule (yet) must stay on the pod bridge
  # rather than follow the default route off this machine. (The CNI bridge plugin adopts this bridge.)
  ip link show "$CNI_BRIDGE" >/dev/null 2>&1 || ip link add "$CNI_BRIDGE" type bridge
  ip link set "$CNI_BRIDGE" up
  ip route replace "$SERVICE_CIDR" dev "$CNI_BRIDGE"
  # Pod-to-pod traffic through a Service is routed back onto the bridge (FORWARD), and a Docker engine
  # sets that chain's policy to DROP: accept bridge-to-bridge traffic in each backend (only that).
  for ipt in iptables iptables-legacy; do
    command -v "$ipt" >/dev/null || continue
    [[ $ipt == iptables ]] || grep -q -- '-P FORWARD DROP' <<<"$("$ipt" -S FORWARD 2>/dev/null)" || continue
    rule=(FORWARD -i "$CNI_BRIDGE" -o "$CNI_BRIDGE" -m comment --comment "$TC_NAME pods" -j ACCEPT)
    "$ipt" -C "${rule[@]}" 2>/dev/null || "$ipt" -I "${rule[@]}"
  done
}

# host_cgroups: on a cgroup v1 host, mounts the enabled controllers that are not mounted (a container may be given only
# some of them, as this machine is). containerd's shim looks up the mount of every hierarchy a container's process is
# in; when one is missing it has no cgroup for the container, and the kubelet reports no CPU or memory per container
# (so metrics-server has no pod metrics: no HPA, no `kubectl top pods`).
host_cgroups() {
  [[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]] && return
  local mounted hierarchy controllers
  mounted=$(findmnt -rn -t cgroup -o OPTIONS | tr ',' '\n')
  while read -r hierarchy controllers; do
    grep -qxF "${controllers%%,*}" <<<"$mounted" && continue
    log "mounting the cgroup v1 hierarchy $hierarchy ($controllers) at /sys/fs/cgroup/$controllers"
    mkdir -p "/sys/fs/cgroup/$controllers"
    mount -t cgroup -o "$controllers" cgroup "/sys/fs/cgroup/$controllers" ||
      die "cannot mount the cgroup controllers $controllers: the node's containers would have no CPU or memory metrics"
  done < <(awk '!/^#/ && $2 != 0 && $4 == 1 { c = ($2 in h) ? h[$2] "," $1 : $1; h[$2] = c } END { for (k in h) print k, h[k] }' /proc/cgroups)
}

# import_image NAME ARCHIVE: into the node's runtime, unless it is there.
import_image() {
  grep -qxF "$1" <<<"$("${CTR[@]}" images ls -q 2>/dev/null)" && return
  local out
  out=$("${CTR[@]}" images import "$2" 2>&1) || die "could not import $2 into containerd: $out"
}

# start_node: containerd, kubelet, kube-proxy and the add-ons, each waited for.
start_node() {
  local kubelet_flags=()
  host_cgroups # before containerd and the kubelet, which see the hierarchies mounted when they start
  write_node_config
  if ((REGISTRY)); then
    # Before containerd starts: it reads the registry's hosts.toml when it pulls (config_path, node.sh).
    write_registry_config
    start registry "$REGISTRY_BIN" serve "$TC_STATE/registry.yml"
    ready registry "registry (http://$REGISTRY_HOST)" healthz "http://$REGISTRY_HOST/v2/"
  fi
  CTR=("$BIN/ctr" --address "$TC_RUN/containerd.sock" --namespace k8s.io)

  start containerd "$BIN/containerd" --config "$TC_STATE/containerd.toml"
  ready containerd containerd "${CTR[@]}" version
  import_image "$PAUSE_IMAGE" "$BUILD/images/pause.tar"
  import_image "$COREDNS_IMAGE" "$BUILD/images/coredns.tar"
  import_image "$HELPER_IMAGE" "$BUILD/images/busybox.tar"

  oom_adj_restricted && kubelet_flags+=(--oom-score-adj=0) # it cannot lower its own score here
  start kubelet "$BIN/kubelet" --config="$TC_STATE/kubelet.yaml" --kubeconfig="$TC_STATE/kubelet.kubeconfig" \
    --root-dir="$TC_STATE/kubelet" --hostname-override="$NODE_NAME" --node-ip="$NODE_IP" "${kubelet_flags[@]}"
  start kube-proxy "$BIN/kube-proxy" --config="$TC_STATE/kube-proxy.yaml" --hostname-override="$NODE_NAME"
  ready kubelet "node $NODE_NAME" kubectl wait --for=condition=Ready "node/$NODE_NAME" --timeout=1s
  ready kube-proxy kube-proxy healthz "http://127.0.0.1:$PROXY_HEALTHZ_PORT/healthz"

  # NetworkPolicies: kube-router's firewall controller alone (no routing, no service proxy: kube-proxy does that). It
  # filters the bridged pod traffic in the FORWARD chain with ipsets of pod addresses. Admin credentials: a test cluster.
  # --v=1 logs each full sync ("Starting sync of iptables", "sync iptables took"): at 0 its log says nothing after start-up.
  if ((NETWORK_POLICIES)); then
    apt_need ipset
    start kube-router "$ADDONS/bin/kube-router" --kubeconfig="$KUBECONFIG" --hostname-override="$NODE_NAME" \
      --run-firewall=true --run-router=false --run-service-proxy=false --enable-ipv4=true --enable-ipv6=false \
      --service-cluster-ip-range="$SERVICE_CIDR" --health-port="$KUBE_ROUTER_HEALTH_PORT" --metrics-port=0 --v=1
    ready kube-router "kube-router (NetworkPolicy controller)" healthz "http://127.0.0.1:$KUBE_ROUTER_HEALTH_PORT/healthz"
  fi

  apply_manifest "$TC_DIR/manifests/coredns.yaml"
  apply_manifest "$TC_DIR/manifests/local-path.yaml"
  start local-path-provisioner "$BIN/local-path-provisioner" start --kubeconfig="$KUBECONFIG" \
    --namespace=local-path-storage --helper-image="$HELPER_IMAGE" --provisioner-name=rancher.io/local-path \
    --service-account-name=local-path-provisioner-service-account
  ready kubelet CoreDNS kubectl -n kube-system wait --for=condition=Available deployment/coredns --timeout=1s

  # The Gateway API CRDs (standard channel, the version of minikube/profile.env, from its Go module): on every real
  # node, as on Minikube after a deploy, so the chart's HTTPRoute and Gateway install; served with --ingress.
  local crds
  crds="$("$TC_DIR/../gateway-api/standard-install.sh")"
  kubectl apply --server-side --force-conflicts -f "$crds" >/dev/null
  ready kube-apiserver "Gateway API CRDs" kubectl wait --for=condition=Established --timeout=1s \
    crd/gatewayclasses.gateway.networking.k8s.io crd/gateways.gateway.networking.k8s.io \
    crd/httproutes.gateway.networking.k8s.io

  # The resource metrics API: the node's kubelet serves /metrics/resource on its port (KUBELET_PORT, in the node's
  # status) with its webhook authorization, which the manifest's RBAC (nodes/metrics) passes.
  if ((METRICS_SERVER)); then
    import_image "$METRICS_SERVER_IMAGE" "$METRICS_SERVER_BUILD/metrics-server.tar"
    apply_manifest "$TC_DIR/manifests/metrics-server.yaml"
    ready kube-apiserver "metrics-server (APIService v1beta1.metrics.k8s.io)" \
      kubectl wait --for=condition=Available apiservice/v1beta1.metrics.k8s.io --timeout=1s
  fi

  if ((INGRESS)); then
    import_image "$TRAEFIK_IMAGE" "$ADDONS/images/traefik.tar"
    apply_manifest "$TC_DIR/../../deploy/front-door/traefik.yaml"
    ready kubelet "Traefik (GatewayClass and IngressClass $INGRESS_CLASS, http://$NODE_IP:80)" \
      kubectl -n "$INGRESS_NAMESPACE" wait --for=condition=Available deployment/traefik --timeout=1s
  fi
}
