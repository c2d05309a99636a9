# shellcheck shell=bash
# shellcheck disable=SC2016 # single-quoted scripts and SQL are expanded inside the containers, on purpose
# Tests of the PostgreSQL image, for tools/images/test-base-images.sh (sourced by it).
source "$(dirname "${BASH_SOURCE[0]}")/postgres-helpers.sh"

test_postgres() {
  log "postgres: $POSTGRES_IMAGE"
  docker network create "$NET" >/dev/null
  local data="$PREFIX-pgdata" server="$PREFIX-pg" ms

  check "postgres: user postgres is 999:999" \
    expect_eq "$(docker run --rm --network none "$POSTGRES_IMAGE" id postgres)" \
    "uid=999(postgres) gid=999(postgres) groups=999(postgres),101(ssl-cert)"
  check "postgres: exposes 5432, volume /var/lib/postgresql/data, stop signal SIGINT" \
    expect_eq "$(docker image inspect -f '{{json .Config.ExposedPorts}} {{json .Config.Volumes}} {{.Config.StopSignal}}' "$POSTGRES_IMAGE")" \
    '{"5432/tcp":{}} {"/var/lib/postgresql/data":{}} SIGINT'
  check "postgres: PGDATA=/var/lib/postgresql/data" \
    expect_eq "$(docker run --rm --network none "$POSTGRES_IMAGE" sh -c 'echo "$PGDATA"')" /var/lib/postgresql/data
  check "postgres: pg_isready and psql on PATH are PostgreSQL 17's own" \
    expect_eq "$(docker run --rm --network none "$POSTGRES_IMAGE" sh -c 'command -v pg_isready; command -v psql' | tr '\n' ' ')" \
    "/usr/lib/postgresql/17/bin/pg_isready /usr/lib/postgresql/17/bin/psql "

  docker volume create "$data" >/dev/null
  pg_start "$server" "$data"
  if ms=$(pg_wait_ready "$server" "$PG_INIT_READY_SECONDS"); then
    check "postgres: fresh volume initialised and ready in ${ms} ms (limit ${PG_INIT_READY_SECONDS}s)" true
  else
    check "postgres: fresh volume initialised and ready within ${PG_INIT_READY_SECONDS}s" fail_with "$ms"
    return 0
  fi

  check "postgres: server (PID 1) runs as uid 999; PGDATA is 999:999 mode 700" \
    expect_eq "$(docker exec "$server" sh -c 'stat -c %u /proc/1; stat -c %u:%g:%a "$PGDATA"' | tr '\n' ' ')" \
    "999 999:999:700 "
  check "postgres: no main cluster from the Debian package (/etc/postgresql is empty)" \
    expect_eq "$(docker exec "$server" sh -c 'ls -A /etc/postgresql | wc -l')" 0

  check "postgres: another container connects over the network as POSTGRES_USER to POSTGRES_DB" \
    expect_eq "$(psql_remote "$server" 'select current_user || $$@$$ || current_database()')" "$PG_USER@$PG_DB"
  check "postgres: a wrong password is rejected over TCP (scram-sha-256)" pg_rejects_wrong_password "$server"
  check "postgres: write a row" \
    psql_remote "$server" 'create table t (v text); insert into t values ($$kept$$)'

  docker restart "$server" >/dev/null
  if ms=$(pg_wait_ready "$server" "$PG_RESTART_READY_SECONDS"); then
    check "postgres: ready ${ms} ms after docker restart (limit ${PG_RESTART_READY_SECONDS}s)" true
  else
    check "postgres: ready within ${PG_RESTART_READY_SECONDS}s after docker restart" fail_with "$ms"
  fi
  check "postgres: data kept across docker restart" expect_eq "$(psql_remote "$server" 'select v from t')" kept

  docker stop "$server" >/dev/null
  check "postgres: docker stop exits 0 after a clean shutdown" pg_stopped_cleanly "$server"
  docker rm -v "$server" >/dev/null

  pg_start "$server" "$data"
  if ms=$(pg_wait_ready "$server" "$PG_RESTART_READY_SECONDS"); then
    check "postgres: new container on the same volume ready in ${ms} ms" true
  else
    check "postgres: new container on the same volume ready within ${PG_RESTART_READY_SECONDS}s" fail_with "$ms"
  fi
  check "postgres: data kept across container re-creation" expect_eq "$(psql_remote "$server" 'select v from t')" kept
  check "postgres: no crash recovery after the previous stop" pg_started_without_recovery "$server"

  # SIGTERM ("smart" shutdown; what a plain `kill` or a runtime ignoring STOPSIGNAL sends) with no client connected.
  docker kill -s TERM "$server" >/dev/null
  docker wait "$server" >/dev/null
  check "postgres: SIGTERM stops cleanly with exit code 0" pg_stopped_cleanly "$server"
  docker rm -v "$server" >/dev/null

  # A client holding a connection must not delay `docker stop` (SIGINT = fast shutdown).
  pg_start "$server" "$data"
  pg_wait_ready "$server" "$PG_RESTART_READY_SECONDS" >/dev/null || true
  docker run -d --name "$PREFIX-client" --network "$NET" -e PGPASSWORD="$PG_PASSWORD" "$POSTGRES_IMAGE" \
    psql -h "$server" -U "$PG_USER" -d "$PG_DB" -c 'select pg_sleep(60)' >/dev/null
  wait_until 10 pg_client_sleeping "$server" || log "the client did not connect within 10s; stopping anyway"
  local start
  start=$(milliseconds)
  docker stop -t 10 "$server" >/dev/null
  ms=$(($(milliseconds) - start))
  check "postgres: docker stop with a connected client takes ${ms} ms (< 5000) and exits 0" \
    pg_stopped_quickly_and_cleanly "$server" "$ms" 5000
  docker rm -f -v "$server" "$PREFIX-client" >/dev/null

  # Read-only root file system: writes go only to the volume and the tmpfs mounts.
  local ro_data="$PREFIX-pgdata-ro" ro_server="$PREFIX-pg-ro"
  docker volume create "$ro_data" >/dev/null
  pg_start "$ro_server" "$ro_data" --read-only --tmpfs /run/postgresql --tmpfs /tmp
  if ms=$(pg_wait_ready "$ro_server" "$PG_INIT_READY_SECONDS"); then
    check "postgres: --read-only with tmpfs /run/postgresql and /tmp: initialised and ready in ${ms} ms" true
    check "postgres: --read-only: accepts connections and writes" \
      psql_remote "$ro_server" 'create table t (v int); insert into t values (1)'
    docker stop "$ro_server" >/dev/null
    check "postgres: --read-only: docker stop exits 0 after a clean shutdown" pg_stopped_cleanly "$ro_server"
  else
    check "postgres: --read-only with tmpfs /run/postgresql and /tmp: ready within ${PG_INIT_READY_SECONDS}s" \
      fail_with "$ms"
  fi

  # Kubernetes-style: started directly as 999:999 (runAsUser), password from a file (a mounted Secret), an init script.
  local k8s_data="$PREFIX-pgdata-k8s" k8s_server="$PREFIX-pg-k8s"
  mkdir -p "$WORK/secret" "$WORK/initdb"
  printf '%s' "$PG_PASSWORD" >"$WORK/secret/password"
  printf 'create table seeded (v text);\ninsert into seeded values (current_user);\n' >"$WORK/initdb/10-seed.sql"
  chmod -R a+rX "$WORK/secret" "$WORK/initdb"
  docker volume create "$k8s_data" >/dev/null
  docker run -d --name "$k8s_server" --network "$NET" --user 999:999 --read-only --tmpfs /run/postgresql:uid=999,gid=999 \
    -v "$k8s_data:/var/lib/postgresql/data" -v "$WORK/secret:/run/secrets/pg:ro" -v "$WORK/initdb:/docker-entrypoint-initdb.d:ro" \
    -e POSTGRES_USER="$PG_USER" -e POSTGRES_PASSWORD_FILE=/run/secrets/pg/password -e POSTGRES_DB="$PG_DB" \
    "$POSTGRES_IMAGE" >/dev/null
  if ms=$(pg_wait_ready "$k8s_server" "$PG_INIT_READY_SECONDS"); then
    check "postgres: --user 999:999 with POSTGRES_PASSWORD_FILE: ready in ${ms} ms" true
    check "postgres: /docker-entrypoint-initdb.d/*.sql ran once in POSTGRES_DB as POSTGRES_USER" \
      expect_eq "$(psql_remote "$k8s_server" 'select v from seeded')" "$PG_USER"
  else
    check "postgres: --user 999:999 with POSTGRES_PASSWORD_FILE: ready within ${PG_INIT_READY_SECONDS}s" \
      fail_with "$ms"
  fi

  # Without a password the server must refuse to initialise, and say what to do.
  local nopw="$PREFIX-pg-nopw"
  docker run --name "$nopw" --network none "$POSTGRES_IMAGE" >/dev/null 2>&1 || true
  check "postgres: refuses to initialise without POSTGRES_PASSWORD, and says what to do" \
    expect_failed_saying "$nopw" "Set POSTGRES_PASSWORD"
}
