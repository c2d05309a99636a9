#!/usr/bin/env bash
# Stops everything up.sh started and removes the cluster's state (etcd data, certificates, volumes,
# containers, network). Caches (binaries, images) are kept. Safe to run when nothing is running.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need_root "$@"

gone() { ! kill -0 "$1" 2>/dev/null; }
# stop NAME: SIGTERM, then SIGKILL after 15 s, for a process this cluster started (by its pid file).
stop() {
  local pidfile=$TC_RUN/$1.pid pid
  [[ -f $pidfile ]] || return 0
  pid=$(<"$pidfile")
  if alive "$1"; then
    log "stopping $1"
    kill "$pid" 2>/dev/null || true
    WAIT_INTERVAL=0.5 wait_until 15 gone "$pid" || kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

BIN=$(build_dir)/bin
[[ -x $BIN/kubectl ]] || BIN=$(find "$TC_CACHE" -mindepth 2 -maxdepth 2 -path "$TC_CACHE/build-*/bin" 2>/dev/null | sort | head -n 1)
CTR=("$BIN/ctr" --address "$TC_RUN/containerd.sock" --namespace k8s.io)
tasks() { "${CTR[@]}" tasks ls -q 2>/dev/null; }
no_running_task() { ! "${CTR[@]}" tasks ls 2>/dev/null | awk 'NR > 1 && $3 == "RUNNING"' | grep -q .; }

# 1. Real node: let the kubelet tear every pod down (CNI DEL frees addresses and iptables rules).
if alive kubelet && alive kube-apiserver; then
  stop kube-controller-manager # nothing recreates the pods from here on
  log "deleting all pods"
  kubectl --request-timeout=5s delete pods --all --all-namespaces --grace-period=1 --wait=false >/dev/null 2>&1 || true
  wait_for 90 "pod teardown" bash -c "[[ -z \$(${CTR[*]} tasks ls -q 2>/dev/null) ]]" ||
    log "some containers outlived the kubelet's teardown: killing them"
fi
stop local-path-provisioner
stop kube-router
stop registry
stop kwok
stop kube-proxy
stop kubelet

# 2. Whatever is left in this containerd: kill its tasks, note the sandboxes' network namespaces.
netns=()
if alive containerd; then
  for id in $("${CTR[@]}" containers ls -q 2>/dev/null); do
    "${CTR[@]}" tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true
    path=$("${CTR[@]}" containers info "$id" 2>/dev/null |
      jq -r '.Spec.linux.namespaces[]? | select(.type == "network") | .path // empty' 2>/dev/null || true)
    [[ -n $path ]] && netns+=("$path")
  done
  wait_until 10 no_running_task || log "some tasks still run after SIGKILL; deleting them anyway"
  for id in $(tasks); do "${CTR[@]}" tasks delete -f "$id" >/dev/null 2>&1 || true; done
fi
stop containerd
# Shims of this containerd (started with its socket address) outlive it by design.
for pid in $(pgrep -f -- "-address $TC_RUN/containerd.sock" || true); do kill -9 "$pid" 2>/dev/null || true; done
for ns in "${netns[@]}"; do umount "$ns" 2>/dev/null || true; rm -f "$ns"; done

stop kube-scheduler
stop kube-controller-manager
stop kube-apiserver
stop etcd
# Components whose pid file is gone (a run killed before writing it, or its state removed under it) would keep the
# fixed ports and block the next up.sh: anything still running from this cluster's binaries goes too.
for pid in $(pgrep -f -- "^$TC_CACHE/(build|addons|registry)-[^/]+/bin/" || true); do
  log "stopping an orphaned component: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-80)"
  kill -9 "$pid" 2>/dev/null || true
done

# 3. Network: kube-proxy's and the kubelet's iptables chains, leftover CNI masquerade rules, the pod
# bridge and its FORWARD rule.
# (grep -q reads a here-string, not a pipe: under pipefail its early exit can SIGPIPE a long iptables listing.)
if [[ -x $BIN/kube-proxy ]] && grep -q KUBE-SERVICES <<<"$(iptables -t nat -S 2>/dev/null)"; then
  "$BIN/kube-proxy" --cleanup >/dev/null 2>&1 || log "kube-proxy --cleanup reported errors (see iptables-save)"
fi
# The kubelet's own chains (kube-proxy --cleanup leaves them).
for ipt in iptables ip6tables; do
  command -v "$ipt" >/dev/null || continue
  for hook in INPUT OUTPUT; do while "$ipt" -D "$hook" -j KUBE-FIREWALL 2>/dev/null; do :; done; done
  for table in filter nat mangle; do
    for chain in KUBE-FIREWALL KUBE-KUBELET-CANARY KUBE-IPTABLES-HINT; do
      if "$ipt" -t "$table" -F "$chain" 2>/dev/null; then "$ipt" -t "$table" -X "$chain" 2>/dev/null || true; fi
    done
  done
done
# kube-router's NetworkPolicy chains (jumps from INPUT/FORWARD/OUTPUT, then the chains) and its address sets. Not its
# --cleanup-config: that also resets IPVS and routing, which it never set up here.
if grep -q -- '-N KUBE-ROUTER-' <<<"$(iptables -S 2>/dev/null)"; then
  iptables -S | grep -E -- '^-A (INPUT|FORWARD|OUTPUT) .*-j KUBE-ROUTER-' | while read -r _ rule; do
    eval "iptables -D $rule" || true
  done
  chains=$(iptables -S | sed -n 's/^-N \(KUBE-ROUTER-[A-Z]*\|KUBE-POD-FW-.*\|KUBE-NWPLCY-.*\)$/\1/p')
  for chain in $chains; do iptables -F "$chain"; done
  for chain in $chains; do iptables -X "$chain" || true; done
fi
if command -v ipset >/dev/null; then
  for set in $(ipset list -n 2>/dev/null | grep -E '^KUBE-(SRC|DST)-' || true); do ipset destroy "$set" || true; done
fi
rules=$(iptables -t nat -S POSTROUTING 2>/dev/null | grep -- "$TC_NAME" || true)
[[ -z $rules ]] || while read -r _ chain rule; do
  eval "iptables -t nat -D $chain $rule" 2>/dev/null || true
  target=$(sed -n 's/.* -j \(CNI-[0-9a-f]*\).*/\1/p' <<<"$rule")
  if [[ -n $target ]]; then { iptables -t nat -F "$target" && iptables -t nat -X "$target"; } 2>/dev/null || true; fi
done <<<"$rules"
for ipt in iptables iptables-legacy; do
  command -v "$ipt" >/dev/null || continue
  while "$ipt" -D FORWARD -i "$CNI_BRIDGE" -o "$CNI_BRIDGE" -m comment --comment "$TC_NAME pods" -j ACCEPT 2>/dev/null; do :; done
done
if ip link show "$CNI_BRIDGE" >/dev/null 2>&1; then ip link delete "$CNI_BRIDGE"; fi

# CNI's result cache (libcni keeps it in /var/lib/cni whatever the config): entries of this network.
for f in /var/lib/cni/results/"$TC_NAME"-*; do
  [[ -f $f ]] || continue
  id=${f#/var/lib/cni/results/"$TC_NAME"-}
  rm -f "$f" "/var/lib/cni/results/cni-loopback-${id%-*}-lo"
done
# The kubelet makes this dir (device plugins) whatever its --root-dir: remove it unless in use.
sock=/var/lib/kubelet/device-plugins/kubelet.sock
[[ -S $sock ]] && ! ss -xl | grep -qF "$sock" && rm -f "$sock"
rmdir /var/lib/kubelet/device-plugins /var/lib/kubelet 2>/dev/null || true

# 4. Mounts and cgroups left by pods, then the state itself.
mounts=$(findmnt -rn -o TARGET | grep -E "^($TC_STATE|$TC_RUN)/" | sort -r || true)
for m in $mounts; do umount -l "$m" || true; done
for cg in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods; do
  if [[ -d $cg ]]; then find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null || true; fi
done
rm -rf "$TC_STATE" "$TC_RUN"
log "cluster down; caches kept in $TC_CACHE"
