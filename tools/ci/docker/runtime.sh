# shellcheck shell=bash
# dockerd's default runtime on machines whose capability bounding set is incomplete, for tools/ci/install-docker.sh
# (sourced by it). Some CI sandboxes lack CAP_SYS_RESOURCE: there every `docker run --privileged` fails ("unable to
# apply caps: operation not permitted"), and minikube's docker driver always runs its node that way. runc-bounded
# (next to this file) drops from each container spec the capabilities the machine cannot grant, then runs runc.
# On a machine with the full set nothing is installed or changed.

readonly RUNTIME_NAME=runc-bounded
readonly RUNTIME_PATH=/usr/local/libexec/todo-stack/runc-bounded
readonly DAEMON_JSON=/etc/docker/daemon.json

# bounding_set_complete: this process may hold every capability the kernel knows.
bounding_set_complete() {
  local last bounding
  last=$(cat /proc/sys/kernel/cap_last_cap)
  bounding=$(sed -n 's/^CapBnd:[[:space:]]*//p' /proc/self/status)
  (((0x$bounding & ((1 << (last + 1)) - 1)) == (1 << (last + 1)) - 1))
}

# configure_runtime: installs runc-bounded and makes it dockerd's default runtime in $DAEMON_JSON (other settings
# there are kept). Sets RUNTIME_CHANGED=1 when daemon.json changed under a running daemon, which must reload it.
RUNTIME_CHANGED=0
configure_runtime() {
  bounding_set_complete && return 0
  require_root "installing the $RUNTIME_NAME runtime"
  command -v jq >/dev/null 2>&1 || apt_install jq
  install -D -m 0755 "$(dirname "${BASH_SOURCE[0]}")/runc-bounded" "$RUNTIME_PATH"
  local current='{}' wanted
  [[ -s $DAEMON_JSON ]] && current=$(cat "$DAEMON_JSON")
  wanted=$(jq --arg name "$RUNTIME_NAME" --arg path "$RUNTIME_PATH" \
    '.runtimes[$name] = {path: $path} | .["default-runtime"] = $name' <<<"$current") ||
    die "$DAEMON_JSON is not valid JSON; fix or remove it and run this again."
  [[ $(jq -S . <<<"$current") == $(jq -S . <<<"$wanted") ]] && return 0
  log "this machine's capability bounding set lacks some capabilities: $RUNTIME_NAME becomes dockerd's default runtime ($DAEMON_JSON)"
  mkdir -p "$(dirname "$DAEMON_JSON")"
  printf '%s\n' "$wanted" >"$DAEMON_JSON"
  if daemon_answers; then RUNTIME_CHANGED=1; fi
}

runtime_is_default() { [[ $(docker info --format '{{.DefaultRuntime}}' 2>/dev/null) == "$RUNTIME_NAME" ]]; }

# reload_runtime: a running daemon rereads daemon.json on SIGHUP (runtimes and default-runtime are reloadable);
# it is never restarted, as other jobs may be using it.
reload_runtime() {
  ((RUNTIME_CHANGED)) || return 0
  local pid
  pid=$(pgrep -xo dockerd) || return 0
  log "reloading dockerd's configuration (SIGHUP to pid $pid)"
  kill -HUP "$pid"
  wait_until 30 runtime_is_default ||
    die "dockerd did not take $RUNTIME_NAME as its default runtime after SIGHUP; see its log ($DOCKERD_LOG)."
}
