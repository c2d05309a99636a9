#!/usr/bin/env bash
# Stops the Todo Stack Minikube profile; its disk (images, the database volume) is kept for the next start.sh.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
load_profile
need minikube
mk stop
log "stopped $MINIKUBE_PROFILE (minikube/start.sh resumes it, data kept)"
