#!/usr/bin/env bash
# Shared by the minikube/*.sh helpers: the profile settings and the checks with advice. Source it; don't run it.

minikube_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

log() { printf '[minikube] %s\n' "$*" >&2; }
die() { printf '[minikube] ERROR: %s\n' "$*" >&2; exit 1; }

# load_profile: sets MINIKUBE_* from profile.env, keeping any value already in the environment.
load_profile() {
  local line key value
  while IFS= read -r line || [[ -n "$line" ]]; do
    [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
    [[ "$line" =~ ^([A-Z_][A-Z0-9_]*)=(.*)$ ]] || die "profile.env: cannot read the line '$line' (KEY=value expected)"
    key="${BASH_REMATCH[1]}"
    value="${BASH_REMATCH[2]}"
    if [[ -z "${!key:-}" ]]; then printf -v "$key" '%s' "$value"; fi
    export "${key?}"
  done <"$minikube_dir/profile.env"
}

# advice TOOL: how to install TOOL (same words as the deploy executor).
advice() {
  case "$1" in
    minikube) echo "minikube is not installed: see https://minikube.sigs.k8s.io/docs/start/ (Linux: curl -LO https://storage.googleapis.com/minikube/releases/latest/minikube-linux-amd64 && sudo install minikube-linux-amd64 /usr/local/bin/minikube; macOS: brew install minikube; Windows: winget install Kubernetes.minikube)" ;;
    docker) echo "docker is not installed: Minikube's docker driver and the image builds need it. Install Docker Desktop (macOS/Windows) or Docker Engine (Linux: https://docs.docker.com/engine/install/), then start it" ;;
    kubectl) echo "kubectl is not installed: https://kubernetes.io/docs/tasks/tools/ (or use 'minikube kubectl --' in its place)" ;;
    helm) echo "helm is not installed: https://helm.sh/docs/intro/install/ (macOS: brew install helm; Linux: the release tarball, or tools/helm/install-helm.sh which builds it with Go)" ;;
    *) echo "$1 is not installed" ;;
  esac
}

# need TOOL...: exits with advice for every missing tool.
need() {
  local tool missing=0
  for tool in "$@"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      printf '[minikube] ERROR: %s\n' "$(advice "$tool")" >&2
      missing=1
    fi
  done
  [[ $missing == 0 ]] || exit 127
}

# mk ARGS...: minikube on this profile.
mk() { minikube -p "$MINIKUBE_PROFILE" "$@"; }

# profile_running: true when the profile's host and API server are running.
profile_running() {
  local out
  out="$(mk status --format '{{.Host}} {{.APIServer}}' 2>/dev/null)" || return 1
  [[ "$out" == "Running Running" ]]
}
