#!/usr/bin/env bash
# Shared by the minikube/*.sh helpers: the profile settings and the checks with advice. Source it; don't run it.

minikube_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

LOG_PREFIX=minikube
source "$minikube_dir/../tools/shell/common.sh" # log, die

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

# advice TOOL: how to install TOOL, from advice.txt (the deploy executor prints the same lines).
advice() {
  local line
  while IFS= read -r line; do
    if [[ "$line" == "$1: "* ]]; then
      printf '%s\n' "${line#"$1: "}"
      return
    fi
  done <"$minikube_dir/advice.txt"
  echo "$1 is not installed"
}

# need TOOL...: exits with advice for every missing tool.
need() {
  local tool missing=0
  for tool in "$@"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      log "ERROR: $(advice "$tool")"
      missing=1
    fi
  done
  [[ $missing == 0 ]] || exit 127
}

# mk ARGS...: minikube on this profile.
mk() { minikube -p "$MINIKUBE_PROFILE" "$@"; }

# cni_manifest: what `minikube start --cni` gets for MINIKUBE_CNI. For kube-router, minikube/kube-router.yaml with its
# image set to KUBE_ROUTER_IMAGE, written once per content under ${TODO_STACK_CACHE:-~/.cache/todo-stack}/minikube/
# (minikube applies the file again at every start of the profile, so it must stay where it is); else MINIKUBE_CNI
# (nothing when it is empty: minikube's default).
cni_manifest() {
  [[ ${MINIKUBE_CNI:-} == kube-router ]] || { printf '%s' "${MINIKUBE_CNI:-}"; return; }
  local manifest dir=${TODO_STACK_CACHE:-$HOME/.cache/todo-stack}/minikube file
  manifest=$(sed "s#^\( *image: \)docker.io/cloudnativelabs/kube-router:.*#\1$KUBE_ROUTER_IMAGE#" "$minikube_dir/kube-router.yaml")
  file=$dir/kube-router-$(cksum <<<"$manifest" | cut -d' ' -f1).yaml
  if [[ ! -f $file ]] && ! { mkdir -p "$dir" && printf '%s\n' "$manifest" >"$file.tmp" && mv "$file.tmp" "$file"; }; then
    die "cannot write kube-router's manifest to $dir (set TODO_STACK_CACHE to a writable directory)"
  fi
  printf '%s\n' "$file"
}

# profile_running: true when the profile's host and API server are running.
profile_running() {
  local out
  out="$(mk status --format '{{.Host}} {{.APIServer}}' 2>/dev/null)" || return 1
  [[ "$out" == "Running Running" ]]
}

# profile_exists: false when minikube knows no profile of this name (`minikube status` exits 85, ExGuestNotFound).
profile_exists() {
  local code=0
  mk status >/dev/null 2>&1 || code=$?
  [[ $code != 85 ]]
}

# addon_enabled ADDON JSON: true when JSON, the output of `minikube addons list --output json`, shows ADDON enabled. That JSON
# is {"ingress":{"Profile":"…","Status":"enabled"},…} (cmd/minikube/cmd/config/addons_list.go); the table output
# is for people (box drawing, colours) and is not parsed.
addon_enabled() { [[ "$2" =~ \"$1\":\{[^}]*\"Status\":\"enabled\" ]]; }

# frontend_service NAMESPACE RELEASE: prints "SERVICE NODEPORT" of the release's frontend Service, found by the
# chart's labels rather than by a copy of its naming rule; nothing when it is not deployed.
frontend_service() {
  kubectl --context "$MINIKUBE_PROFILE" --namespace "$1" get services \
    -l "app.kubernetes.io/instance=$2,app.kubernetes.io/component=frontend" \
    -o jsonpath='{range .items[*]}{.metadata.name} {.spec.ports[0].nodePort}{"\n"}{end}' 2>/dev/null
}
