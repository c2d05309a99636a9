#!/usr/bin/env bash
# kubectl of the cluster's own version, on the test cluster: tools/test-cluster/kubectl.sh get pods -A
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bin=$(build_dir)/bin/kubectl
[[ -x $bin ]] || die "kubectl $K8S_VERSION is not built yet: run $TC_DIR/build.sh (or up.sh)"
[[ -r $TC_STATE/admin.kubeconfig ]] || die "no test cluster here (or not root): start one with $TC_DIR/up.sh"
exec "$bin" --kubeconfig="$TC_STATE/admin.kubeconfig" "$@"
