# shellcheck shell=bash
# Starting the cluster's components and waiting for them, for up.sh (sourced by it). Each runs detached, logs to
# $TC_STATE/logs/NAME.log and has a pid file in $TC_RUN (down.sh stops it by that file).

# start NAME COMMAND...: runs COMMAND detached, logging to $TC_STATE/logs/NAME.log, unless running.
start() {
  local name=$1 pidfile=$TC_RUN/$1.pid
  shift
  alive "$name" && return
  log "starting $name"
  setsid "$@" </dev/null >>"$TC_STATE/logs/$name.log" 2>&1 &
  echo $! >"$pidfile"
}

# ready NAME DESCRIPTION COMMAND...: waits for COMMAND; on timeout shows the end of NAME's log.
ready() {
  local name=$1 what=$2
  shift 2
  wait_for "$TIMEOUT" "$what" "$@" && return
  log "last lines of $TC_STATE/logs/$name.log:"
  tail -n 25 "$TC_STATE/logs/$name.log" >&2 || true
  die "$what not ready after ${TIMEOUT}s (logs: $TC_STATE/logs; stop with $TC_DIR/down.sh)"
}
healthz() { curl -fsk --max-time 2 "$1" >/dev/null; }

# apply_manifest FILE: FILE (a path) with its @NAME@ placeholders set from lib.sh, applied.
apply_manifest() {
  sed -e "s#@COREDNS_IMAGE@#$COREDNS_IMAGE#g" -e "s#@CLUSTER_DNS@#$CLUSTER_DNS#g" \
    -e "s#@HELPER_IMAGE@#$HELPER_IMAGE#g" -e "s#@VOLUME_DIR@#$TC_STATE/volumes#g" \
    -e "s#@KWOK_NODE_NAME@#$KWOK_NODE_NAME#g" -e "s#@TRAEFIK_IMAGE@#$TRAEFIK_IMAGE#g" -e "s#@NODE_IP@#$NODE_IP#g" \
    -e "s#@NAMESPACE@#$INGRESS_NAMESPACE#g" -e "s#@PULL_POLICY@#Never#g" \
    -e "s#@METRICS_SERVER_IMAGE@#$METRICS_SERVER_IMAGE#g" \
    "$1" | kubectl apply -f - >/dev/null
}
