# The node's image registry (up.sh --registry): settings and helpers. Sourced by lib.sh's users, never run.
# shellcheck shell=bash disable=SC2034
# distribution/distribution v3 (CNCF Distribution), the registry Docker Hub and Minikube's registry addon run.
REGISTRY_VERSION=v3.1.2
# Host process on loopback: Docker pushes to localhost:<port> without TLS (127.0.0.0/8 is insecure by default),
# and the node's containerd pulls from the same address through its hosts.toml (http, see registry_hosts_toml).
REGISTRY_PORT=16500
REGISTRY_HOST=localhost:$REGISTRY_PORT

registry_bin() { echo "$TC_CACHE/registry-$REGISTRY_VERSION/bin/registry"; }

# write_registry_config: the registry's config (storage under $TC_STATE, removed by down.sh) and containerd's
# hosts.toml for its address (plain http). node.sh points containerd's config_path at $TC_STATE/certs.d.
write_registry_config() {
  mkdir -p "$TC_STATE/registry" "$TC_STATE/certs.d/$REGISTRY_HOST"
  write_file "$TC_STATE/registry.yml" <<EOF2
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $TC_STATE/registry
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$REGISTRY_PORT
EOF2
  write_file "$TC_STATE/certs.d/$REGISTRY_HOST/hosts.toml" <<EOF2
server = "http://$REGISTRY_HOST"

[host."http://$REGISTRY_HOST"]
  capabilities = ["pull", "resolve"]
EOF2
}
