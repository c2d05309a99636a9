# Add-ons of the real node, built by addons/build.sh into a cache of their own (keyed by this file,
# addons/build.sh, images/ and the Go version), so that changing them never rebuilds Kubernetes.
# Sourced by lib.sh.
# shellcheck shell=bash disable=SC2034
# Ingress controller for networking.k8s.io/v1 Ingress. v3.6.12 is the newest v3 whose module builds from the
# proxy alone: v3.7 requires github.com/traefik/traefik/dynamic/ext through a local replace, and that nested
# module is neither in v3.7's module zip nor served on its own.
TRAEFIK_VERSION=v3.6.12
# NetworkPolicy enforcement with iptables + ipset (only its firewall controller runs). kube-network-policies,
# what kind ships, needs the nftables `queue` expression (CONFIG_NFT_QUEUE), which this machine's kernel lacks.
# v2.1.0 is the only v2 release the module proxy serves.
KUBE_ROUTER_VERSION=v2.1.0

TRAEFIK_IMAGE=localhost/test-cluster/traefik:$TRAEFIK_VERSION
