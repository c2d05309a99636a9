#!/usr/bin/env bash
# Deletes the Todo Stack Minikube profile and everything in it (images, releases, the database volume).
#   minikube/delete.sh        asks first (without a terminal it refuses: pass --yes)
#   minikube/delete.sh --yes  does not ask
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
load_profile
need minikube
if [[ "${1:-}" != --yes ]]; then
  [[ -t 0 ]] || die "not deleting $MINIKUBE_PROFILE without confirmation: run minikube/delete.sh --yes"
  read -r -p "Delete the Minikube profile $MINIKUBE_PROFILE and all its data? [y/N] " answer
  [[ "$answer" == [yY]* ]] || { log "kept $MINIKUBE_PROFILE"; exit 0; }
fi
mk delete
log "deleted $MINIKUBE_PROFILE (minikube/start.sh creates it again)"
