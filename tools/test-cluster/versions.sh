# What the test cluster is built from. Sourced by lib.sh; changing anything here (or build.sh, or
# images/) changes the build key, so build.sh makes a new build.
# shellcheck shell=bash disable=SC2034
K8S_VERSION=v1.35.4        # kube-apiserver, controller-manager, scheduler, kubelet, kube-proxy, kubectl
ETCD_VERSION=v3.6.6        # the etcd kubeadm pins for Kubernetes 1.35
CONTAINERD_VERSION=v2.2.9  # CRI runtime of the real node (Debian 12 ships 1.6, end of life upstream)
KWOK_VERSION=v0.8.0        # fake nodes for control-plane-only runs
COREDNS_VERSION=v1.13.1    # cluster DNS, the version kubeadm pins for 1.35
LOCAL_PATH_VERSION=v0.0.30 # dynamic hostPath-style PersistentVolumes (what kind uses)
PAUSE_VERSION=3.10.1       # sandbox image, compiled from the Kubernetes sources of K8S_VERSION

# Images built locally (never pulled: no registry is reachable).
PAUSE_IMAGE=localhost/test-cluster/pause:$PAUSE_VERSION
COREDNS_IMAGE=localhost/test-cluster/coredns:$COREDNS_VERSION
HELPER_IMAGE=localhost/test-cluster/busybox:debian-bookworm
