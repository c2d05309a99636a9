# shellcheck shell=bash
# Starting dockerd (or waiting for the one being started), for tools/ci/install-docker.sh (sourced by it).

daemon_answers() { docker info >/dev/null 2>&1; }
# daemon_settled PID: the daemon answers, or the dockerd started as PID has exited (nothing left to wait for).
daemon_settled() { daemon_answers || ! kill -0 "$1" 2>/dev/null; }

start_daemon() {
  if daemon_answers; then
    log "a Docker daemon is already running; leaving it as it is"
    return 0
  fi
  if [[ -n ${DOCKER_HOST:-} ]]; then
    die "DOCKER_HOST=$DOCKER_HOST is set but that daemon does not answer 'docker info'. Start it, or unset DOCKER_HOST to use a local dockerd."
  fi
  if pgrep -x dockerd >/dev/null 2>&1; then
    # Someone (another job on this machine) is starting it right now: wait instead of starting a second daemon.
    log "dockerd is running but not answering yet; waiting up to ${DOCKERD_TIMEOUT}s"
    wait_until "$DOCKERD_TIMEOUT" daemon_answers || die "dockerd (pid $(pgrep -x dockerd | tr '\n' ' ')) does not answer 'docker info' after ${DOCKERD_TIMEOUT}s. Look at its log (default $DOCKERD_LOG)."
    return 0
  fi
  require_root "starting dockerd"
  mkdir -p "$(dirname "$DOCKERD_LOG")"
  log "starting dockerd in the background (log: $DOCKERD_LOG)"
  # setsid + nohup: the daemon outlives this script and the CI step that ran it, on purpose.
  # The lock fd is closed for it, or the long-lived daemon would hold the lock forever.
  setsid nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null {INSTALL_LOCK_FD}>&- &
  local pid=$!
  if ! wait_until "$DOCKERD_TIMEOUT" daemon_settled "$pid"; then
    tail -n 20 "$DOCKERD_LOG" >&2 || true
    die "dockerd (pid $pid) did not answer 'docker info' within ${DOCKERD_TIMEOUT}s (last lines of $DOCKERD_LOG above)."
  fi
  if ! daemon_answers; then
    tail -n 20 "$DOCKERD_LOG" >&2 || true
    die "dockerd exited during start-up (last lines of $DOCKERD_LOG above). Common causes: no cgroup support, no iptables, or a stale /var/run/docker.pid."
  fi
  log "dockerd is up (pid $pid)"
}
