#!/usr/bin/env bash
# Shows the Todo Stack Minikube profile: minikube status, addons, node address and the app's URLs.
# Exit code 0 when the profile is running, 1 when it is stopped or absent (so scripts can test it).
#   minikube/status.sh [--quiet]     --quiet: only the exit code
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
load_profile
need minikube
if [[ "${1:-}" == --quiet ]]; then profile_running; exit; fi
mk status || true
if ! profile_running; then
  log "profile $MINIKUBE_PROFILE is not running: minikube/start.sh"
  exit 1
fi
ip="$(mk ip)"
namespace="${NAMESPACE:-todo}"
release="${RELEASE:-todo-stack}"
echo
echo "addons:"
addons_json="$(mk addons list --output json 2>/dev/null || true)"
IFS=, read -ra addons <<<"$MINIKUBE_ADDONS"
for addon in "${addons[@]}"; do
  if addon_enabled "$addon" "$addons_json"; then echo "  $addon: enabled"; else echo "  $addon: disabled (minikube/start.sh enables it)"; fi
done
echo
echo "node address: $ip"
echo "app:          http://todo.local/  (needs '$ip todo.local' in /etc/hosts)"
read -r service node_port < <(frontend_service "$namespace" "$release" || true) || true
if [[ -n "${node_port:-}" ]]; then
  echo "              http://$ip:$node_port/   (NodePort of svc/$service)"
elif [[ -z "${service:-}" ]]; then
  echo "              release $release is not deployed in namespace $namespace: npx nx run deploy:minikube"
fi
echo "pods:         kubectl --context $MINIKUBE_PROFILE get pods -A -l app=todo"
