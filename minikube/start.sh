#!/usr/bin/env bash
# Starts the Todo Stack Minikube profile (profile.env), or reuses it when it is already running, and makes sure
# its addons are enabled. Idempotent. Exit codes: 0 running, 127 a tool is missing, 1 anything else.
#   minikube/start.sh                       4 CPUs, 8 GiB, Kubernetes from profile.env
#   MINIKUBE_MEMORY=6144 minikube/start.sh  override any profile.env value from the environment
#                                           a new profile (docker driver) mounts the workspace at /todo-stack (live update)
#   MINIKUBE_CNI=bridge minikube/start.sh   another CNI at the profile's creation (default kube-router: kube-router.yaml
#                                           with KUBE_ROUTER_IMAGE, the CNI that enforces the chart's NetworkPolicies)
#   MINIKUBE_START_ARGS='--force --preload=false' minikube/start.sh
#                                           more `minikube start` flags, split on spaces (CI's offline node image:
#                                           tools/minikube-node/README.md)
#   MINIKUBE_ADDON_IMAGES=MetricsServer=metrics-server/metrics-server:v0.8.0 \
#   MINIKUBE_ADDON_REGISTRIES=MetricsServer=registry.k8s.io minikube/start.sh
#                                           addons on other images: minikube itself reads these (its addon-images and
#                                           addon-registries settings), as it reads every MINIKUBE_<FLAG> variable
#   MINIKUBE_LOAD_IMAGES='registry.k8s.io/metrics-server/metrics-server:v0.8.0' minikube/start.sh
#                                           local images to `minikube image load` into the node right after the start
#                                           (offline: an image no registry serves), space-separated
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
load_profile

need minikube
[[ "$MINIKUBE_DRIVER" != docker ]] || need docker

if profile_running; then
  log "profile $MINIKUBE_PROFILE is running: reusing it"
else
  if [[ "$MINIKUBE_DRIVER" == docker ]]; then
    if ! resources="$(docker info --format '{{.NCPU}} {{.MemTotal}}' 2>/dev/null)"; then
      die "docker is installed but its daemon does not answer ('docker info' failed). Start Docker Desktop, or on Linux: sudo systemctl start docker (and add yourself to the docker group: sudo usermod -aG docker \$USER, then log in again)"
    fi
    read -r ncpu mem_bytes <<<"$resources"
    mem_mib=$((mem_bytes / 1024 / 1024))
    if ((mem_mib < MINIKUBE_MEMORY)); then
      die "not enough memory: the profile wants ${MINIKUBE_MEMORY} MiB but Docker has ${mem_mib} MiB in all. Give Docker more (Docker Desktop: Settings > Resources > Memory, at least $((MINIKUBE_MEMORY / 1024 + 1)) GB) or ask for less, e.g. MINIKUBE_MEMORY=$(( (mem_mib * 3 / 4) / 512 * 512 )) $0 (the app needs about 3 GiB; below 4096 MiB Traefik and the metrics-server addon get tight)"
    fi
    if ((ncpu < MINIKUBE_CPUS)); then
      die "not enough CPUs: the profile wants ${MINIKUBE_CPUS} but Docker has ${ncpu}. Raise Docker Desktop's CPU limit or run MINIKUBE_CPUS=${ncpu} $0"
    fi
  fi
  log "starting profile $MINIKUBE_PROFILE: driver $MINIKUBE_DRIVER, $MINIKUBE_CPUS CPUs, $MINIKUBE_MEMORY MiB, Kubernetes $MINIKUBE_KUBERNETES_VERSION (first start downloads ~1 GB, a few minutes)"
  addon_flags=()
  cni=$(cni_manifest) || exit 1
  cni_flags=()
  [[ -z $cni ]] || cni_flags=(--cni="$cni")
  IFS=, read -ra addons <<<"$MINIKUBE_ADDONS"
  for addon in "${addons[@]}"; do addon_flags+=("--addons=$addon"); done
  read -ra extra_flags <<<"${MINIKUBE_START_ARGS:-}"
  # The workspace in the node at /todo-stack, for live update (`nx run deploy:minikube --watch --live`: the pods run
  # its code). The docker driver sets mounts only when it creates the node (a new mount on an old profile is an error),
  # so only then; MINIKUBE_MOUNT_STRING, which minikube reads itself, chooses another.
  if [[ $MINIKUBE_DRIVER == docker && -z ${MINIKUBE_MOUNT_STRING:-} ]] && ! profile_exists; then
    extra_flags+=("--mount-string=$(cd "$minikube_dir/.." && pwd):/todo-stack")
  fi
  if ! mk start --driver="$MINIKUBE_DRIVER" --cpus="$MINIKUBE_CPUS" --memory="$MINIKUBE_MEMORY" \
      --disk-size="$MINIKUBE_DISK_SIZE" --kubernetes-version="$MINIKUBE_KUBERNETES_VERSION" "${cni_flags[@]}" "${addon_flags[@]}" \
      "${extra_flags[@]}"; then
    die "minikube start failed (see above). Common causes: not enough memory for Docker (lower MINIKUBE_MEMORY), an old profile with other settings (minikube/delete.sh, then start again), no network for the first download. More: docs/troubleshooting.md"
  fi
fi

# Local images (MINIKUBE_LOAD_IMAGES), unless the node has them already; a pod waiting for one pulls it again soon.
if [[ -n ${MINIKUBE_LOAD_IMAGES:-} ]]; then
  node_images=$(mk image ls 2>/dev/null || true)
  for image in $MINIKUBE_LOAD_IMAGES; do
    grep -qxF "$image" <<<"$node_images" && continue
    log "loading image $image into the node"
    mk image load "$image" >&2 || die "minikube image load $image failed (see above); is it in the local Docker (docker image ls)?"
  done
fi
# Addons: enabling an enabled addon is a no-op, so a profile started by hand gets them too.
IFS=, read -ra addons <<<"$MINIKUBE_ADDONS"
addons_json="$(mk addons list --output json 2>/dev/null || true)"
for addon in "${addons[@]}"; do
  if addon_enabled "$addon" "$addons_json"; then continue; fi
  log "enabling addon $addon"
  mk addons enable "$addon" >&2 || die "minikube addons enable $addon failed (see above)"
done

log "profile $MINIKUBE_PROFILE is up; kubectl context: $MINIKUBE_PROFILE (kubectl --context $MINIKUBE_PROFILE get nodes)"
