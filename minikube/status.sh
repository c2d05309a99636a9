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
echo
echo "addons:"
mk addons list | grep -E "\| ($(tr , '|' <<<"$MINIKUBE_ADDONS")) " || true
echo
echo "node address: $ip"
echo "app:          http://todo.local/  (needs '$ip todo.local' in /etc/hosts)"
echo "              http://$ip:30080/   (frontend NodePort, environment=local)"
echo "pods:         kubectl --context $MINIKUBE_PROFILE get pods -A -l app=todo"
