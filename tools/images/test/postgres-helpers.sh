# shellcheck shell=bash
# shellcheck disable=SC2016 # single-quoted scripts and SQL are expanded inside the containers, on purpose
# Starting, querying and stopping PostgreSQL containers, for tools/images/test/postgres.sh.

readonly PG_USER=todo
readonly PG_PASSWORD="pw-$$-test"
readonly PG_DB=todo_db

# pg_start <name> <volume> [docker run options...]: starts a server container on the test network.
pg_start() {
  local name=$1 volume=$2
  shift 2
  docker run -d --name "$name" --network "$NET" -v "$volume:/var/lib/postgresql/data" \
    -e POSTGRES_USER="$PG_USER" -e POSTGRES_PASSWORD="$PG_PASSWORD" -e POSTGRES_DB="$PG_DB" \
    "$@" "$POSTGRES_IMAGE" >/dev/null
}

# pg_wait_ready <name> <seconds>: waits until pg_isready answers inside the container (socket and TCP); prints ms.
pg_wait_ready() {
  local name=$1 limit_ms=$(($2 * 1000)) start
  start=$(milliseconds)
  while true; do
    if docker exec "$name" pg_isready -q -U "$PG_USER" -d "$PG_DB" 2>/dev/null &&
      docker exec "$name" pg_isready -q -h 127.0.0.1 -U "$PG_USER" -d "$PG_DB" 2>/dev/null; then
      echo $(($(milliseconds) - start))
      return 0
    fi
    if [[ $(docker inspect -f '{{.State.Running}}' "$name" 2>/dev/null) != true ]]; then
      echo "container $name is not running; its log:"
      docker logs --tail 30 "$name" 2>&1
      return 1
    fi
    if (($(milliseconds) - start > limit_ms)); then
      echo "not ready after ${2}s; its log:"
      docker logs --tail 30 "$name" 2>&1
      return 1
    fi
    sleep 0.1
  done
}

# psql_remote <server> <sql> [psql options...]: a client in another container on the network, over TCP.
psql_remote() {
  local server=$1 sql=$2
  shift 2
  docker run --rm --network "$NET" -e PGPASSWORD="${PGPASSWORD_OVERRIDE:-$PG_PASSWORD}" "$POSTGRES_IMAGE" \
    psql -h "$server" -U "$PG_USER" -d "$PG_DB" -v ON_ERROR_STOP=1 -Atq "$@" -c "$sql"
}

# pg_stop_cleanly <name> [docker stop|kill options]: stops and checks exit code 0 and a completed shutdown.
pg_stopped_cleanly() {
  local name=$1
  local code
  code=$(docker inspect -f '{{.State.ExitCode}}' "$name")
  [[ $code == 0 ]] || {
    echo "exit code $code"
    docker logs --tail 20 "$name" 2>&1
    return 1
  }
  docker logs "$name" 2>&1 | tail -n 3 | grep -q 'database system is shut down' || {
    echo "no 'database system is shut down' at the end of the log:"
    docker logs --tail 10 "$name" 2>&1
    return 1
  }
}

# expect_failed_saying <container> <text>: the container exited non-zero and its log contains the text.
expect_failed_saying() {
  local code
  code=$(docker inspect -f '{{.State.ExitCode}}' "$1")
  [[ $code != 0 ]] || fail_with "exit code 0" || return 1
  grep -qF "$2" <<<"$(docker logs "$1" 2>&1)" || fail_with "no '$2' in: $(docker logs "$1" 2>&1 | tail -n 5)"
}

# pg_client_sleeping <server>: a client's `select pg_sleep(...)` is running on the server.
pg_client_sleeping() {
  [[ $(docker exec "$1" psql -U "$PG_USER" -d "$PG_DB" -Atqc \
    "select count(*) from pg_stat_activity where query like 'select pg_sleep%'" 2>/dev/null) == 1 ]]
}

pg_stopped_quickly_and_cleanly() {
  local name=$1 ms=$2 limit_ms=$3
  ((ms < limit_ms)) || fail_with "stopping took ${ms} ms" || return 1
  pg_stopped_cleanly "$name"
}

pg_rejects_wrong_password() {
  local output
  if output=$(PGPASSWORD_OVERRIDE=wrong psql_remote "$1" 'select 1' 2>&1); then
    fail_with "connected with a wrong password"
  fi
  grep -q 'password authentication failed' <<<"$output" || fail_with "unexpected error: $output"
}

# The log of a server that started on existing data shows a clean previous shutdown and no recovery.
pg_started_without_recovery() {
  local logs
  logs=$(docker logs "$1" 2>&1)
  if grep -Eq 'not properly shut down|automatic recovery|was interrupted|redo starts' <<<"$logs"; then
    echo "recovery after an unclean shutdown:"
    grep -E 'not properly shut down|automatic recovery|was interrupted|redo starts' <<<"$logs"
    return 1
  fi
  grep -q 'database system was shut down at' <<<"$logs" || {
    echo "no 'database system was shut down at' line:"
    echo "$logs" | tail -n 10
    return 1
  }
}
