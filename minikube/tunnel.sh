#!/usr/bin/env bash
# Makes the app reachable from this machine when the node address is not (Docker driver on macOS/Windows).
#   minikube/tunnel.sh                  minikube tunnel: Traefik's LoadBalancer (the Gateway) answers on 127.0.0.1
#                                       (put '127.0.0.1 todo.local' in /etc/hosts; asks for sudo; Ctrl-C stops)
#   minikube/tunnel.sh --port-forward [PORT]
#                                       kubectl port-forward to the frontend Service: http://localhost:PORT
#                                       (default 8080; NAMESPACE=todo RELEASE=todo-stack by default)
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
load_profile
need minikube
profile_running || die "profile $MINIKUBE_PROFILE is not running: minikube/start.sh (or npx nx run deploy:minikube)"
if [[ "${1:-}" == --port-forward ]]; then
  need kubectl
  port="${2:-8080}"
  namespace="${NAMESPACE:-todo}"
  release="${RELEASE:-todo-stack}"
  read -r service _ < <(frontend_service "$namespace" "$release" || true) || true
  [[ -n "${service:-}" ]] || die "release $release has no frontend Service in namespace $namespace: npx nx run deploy:minikube"
  log "http://localhost:$port/ -> svc/$service in namespace $namespace (Ctrl-C stops)"
  exec kubectl --context "$MINIKUBE_PROFILE" --namespace "$namespace" port-forward "svc/$service" "$port:3000"
fi
log "running minikube tunnel (Ctrl-C stops); then open http://todo.local/ with '127.0.0.1 todo.local' in /etc/hosts"
exec minikube -p "$MINIKUBE_PROFILE" tunnel
