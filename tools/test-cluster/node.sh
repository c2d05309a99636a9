# Configuration of the real node: containerd, CNI, kubelet, kube-proxy. Sourced by up.sh.
# Everything lives under $TC_STATE and $TC_RUN, so this containerd is an instance of its own, next
# to (and never touching) the one a Docker engine may run.
# shellcheck shell=bash

# Sandboxed machines (containers, some VMs) may lack CAP_SYS_RESOURCE: then no process may lower its
# oom_score_adj below the current one, and runc fails with "can't get final child's PID from pipe"
# on pods that ask for it (every pod sandbox asks for -998).
oom_adj_restricted() { ! (echo -1 >/proc/self/oom_score_adj) 2>/dev/null; }

# write_file FILE < CONTENT: replaces FILE only when CONTENT differs (kube-proxy exits when its config changes).
write_file() {
  local new
  new=$(cat)
  [[ -f $1 && $(<"$1") == "$new" ]] || printf '%s\n' "$new" >"$1"
}

write_node_config() {
  local cni_dir=$TC_STATE/cni restrict_oom=false
  oom_adj_restricted && restrict_oom=true
  mkdir -p "$cni_dir/net.d" "$TC_STATE/volumes" "$TC_STATE/kubelet" "$TC_STATE/pod-logs"

  write_file "$TC_STATE/containerd.toml" <<EOF
version = 3
root = "$TC_STATE/containerd"
state = "$TC_RUN/containerd"
disabled_plugins = ["io.containerd.internal.v1.opt"]

[grpc]
  address = "$TC_RUN/containerd.sock"
[ttrpc]
  address = "$TC_RUN/containerd.sock.ttrpc"

[plugins.'io.containerd.cri.v1.images']
  snapshotter = "overlayfs"
  # Images are imported, or pulled from the node's own registry (up.sh --registry, its hosts.toml in certs.d);
  # no other registry is reachable: this pause image is built locally.
  [plugins.'io.containerd.cri.v1.images'.pinned_images]
    sandbox = "$PAUSE_IMAGE"
  [plugins.'io.containerd.cri.v1.images'.registry]
    config_path = "$TC_STATE/certs.d"

[plugins.'io.containerd.cri.v1.runtime']
  restrict_oom_score_adj = $restrict_oom
  [plugins.'io.containerd.cri.v1.runtime'.containerd]
    default_runtime_name = "runc"
    [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
        BinaryName = "$(command -v runc)"
        Root = "$TC_RUN/runc"
        SystemdCgroup = false
  [plugins.'io.containerd.cri.v1.runtime'.cni]
    bin_dirs = ["/usr/lib/cni"]
    conf_dir = "$cni_dir/net.d"

[plugins.'io.containerd.grpc.v1.cri']
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"

# NRI would listen on the host-wide /var/run/nri socket: not wanted next to another containerd.
[plugins.'io.containerd.nri.v1.nri']
  disable = true
EOF

  # One bridge for all pods, addresses from the first /24 of the pod CIDR, masquerade on the way out,
  # hairpin so a pod reaches itself through its Service; portmap for hostPort.
  write_file "$cni_dir/net.d/10-$TC_NAME.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "$TC_NAME",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$CNI_BRIDGE",
      "isGateway": true,
      "ipMasq": true,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$cni_dir/ipam",
        "ranges": [[{ "subnet": "${POD_CIDR%.0.0/16}.0.0/24" }]],
        "routes": [{ "dst": "0.0.0.0/0" }]
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
EOF

  # failCgroupV1: kubelet 1.35 refuses cgroup v1 hosts unless told otherwise; this machine is v1.
  write_file "$TC_STATE/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
failCgroupV1: $([[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]] && echo true || echo false)
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix://$TC_RUN/containerd.sock
port: $KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $KUBELET_HEALTHZ_PORT
tlsCertFile: $TC_STATE/pki/kubelet.crt
tlsPrivateKeyFile: $TC_STATE/pki/kubelet.key
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: $TC_STATE/pki/ca.crt }
authorization:
  mode: Webhook
clusterDomain: cluster.local
clusterDNS: [$CLUSTER_DNS]
podLogsDir: $TC_STATE/pod-logs
failSwapOn: false
serializeImagePulls: false
# A shared development machine: don't evict pods because other work filled the disk.
evictionHard: { memory.available: 100Mi, nodefs.available: 2%, imagefs.available: 2% }
imageGCHighThresholdPercent: 98
imageGCLowThresholdPercent: 95
EOF

  write_file "$TC_STATE/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clusterCIDR: $POD_CIDR
clientConnection:
  kubeconfig: $TC_STATE/kube-proxy.kubeconfig
healthzBindAddress: 127.0.0.1:$PROXY_HEALTHZ_PORT
metricsBindAddress: 127.0.0.1:$PROXY_METRICS_PORT
# Leave the host's conntrack table size alone.
conntrack: { maxPerCore: 0 }
$($restrict_oom && echo 'oomScoreAdj: 0')
EOF
}
