#!/usr/bin/env bash
# Tests the base images with a real Docker engine: starts containers and checks what the apps, compose and the chart
# rely on.
#
#   bash tools/images/test-base-images.sh
#
# The images under test are NODE_BASE_IMAGE and POSTGRES_IMAGE when set, else those of tools/images/base-images.sh
# (built or loaded first if needed). Every container, network and volume is named todo-images-test-<pid>-* and is
# removed on exit. Needs openssl on the host (test certificates). Ends with "N passed, N failed"; exits 1 on failure.
# shellcheck disable=SC2016 # single-quoted scripts and SQL are expanded inside the containers, on purpose
set -euo pipefail

IMAGES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly IMAGES_DIR
readonly PREFIX="todo-images-test-$$"
readonly NET="$PREFIX-net"
# How long a fresh PostgreSQL volume may take to initialise and accept connections, and a restart to be ready.
# Generous for a loaded 2-core machine (initdb is CPU-bound: ~4 s idle); the measured times are printed.
readonly PG_INIT_READY_SECONDS=${PG_INIT_READY_SECONDS:-30}
readonly PG_RESTART_READY_SECONDS=${PG_RESTART_READY_SECONDS:-10}

WORK=$(mktemp -d)

source "$IMAGES_DIR/../shell/common.sh"

cleanup() {
  docker ps -aq --filter "name=^$PREFIX-" 2>/dev/null | xargs -r docker rm -f -v >/dev/null 2>&1 || true
  docker volume ls -q --filter "name=^$PREFIX-" 2>/dev/null | xargs -r docker volume rm >/dev/null 2>&1 || true
  docker network rm "$NET" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# check, expect_eq, expect_match, expect_fails, fail_with and assert_summary: tools/shell/common.sh.
milliseconds() { date +%s%3N; }

# ---------------------------------------------------------------------------------------------------------------------
# Node.js base image

node_run() { docker run --rm --network none "$@"; }

test_node_base() {
  local image=$1
  log "node base: $image"

  check "node base: node -v is Node 24" \
    expect_match "$(node_run "$image" node -v)" '^v24\.[0-9]+\.[0-9]+$'

  check "node base: default command is node" \
    expect_eq "$(docker image inspect -f '{{json .Config.Cmd}}' "$image")" '["node"]'

  check "node base: NODE_VERSION matches the node binary" \
    expect_eq "$(node_run "$image" node -p 'process.env.NODE_VERSION === process.versions.node')" true

  # The whole point of the image: node and the files it reads, no shell, no package manager, no perl, no npm.
  check "node base: node is the only executable (no shell, apt, dpkg, perl or npm)" \
    expect_eq "$(node_run "$image" node -e '
      const fs = require("node:fs"), path = require("node:path");
      const found = [];
      (function walk(dir) {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
          const file = path.join(dir, entry.name);
          if (entry.isDirectory()) { if (!["/proc", "/sys", "/dev"].includes(file)) walk(file); }
          // (/.dockerenv: an empty file the engine adds to every container)
          else if (entry.isFile() && fs.statSync(file).mode & 0o111 && !/\.so(\.[0-9]+)*$/.test(file) &&
            file !== "/.dockerenv") found.push(file);
        }
      })("/");
      console.log(found.join(" "));')" /usr/bin/node
  check "node base: docker run … sh fails (there is no shell)" \
    expect_fails node_run "$image" sh -c true

  check "node base: runs as the numeric user 10001:10001, named app in /etc/passwd" \
    expect_eq "$(node_run --user 10001:10001 "$image" node -p \
      'process.getuid() + ":" + process.getgid() + " " + require("node:os").userInfo().username')" "10001:10001 app"

  check "node base: read-only root file system with a tmpfs /tmp, as 10001" \
    node_run --read-only --tmpfs /tmp --user 10001:10001 "$image" node -e '
      const fs = require("node:fs");
      fs.writeFileSync("/tmp/probe", "ok");
      if (fs.readFileSync("/tmp/probe", "utf8") !== "ok") process.exit(1);
      try { fs.writeFileSync("/probe", "x"); console.error("root fs is writable"); process.exit(1); }
      catch (e) { if (e.code !== "EROFS") throw e; }'

  check "node base: the system CA store has > 100 certificates" \
    expect_eq "$(node_run "$image" node -p 'require("node:tls").getCACertificates("system").length > 100')" true

  check "node base: time zone data (TZ=America/New_York is UTC-5 in January; /etc/localtime is UTC)" \
    expect_eq "$(node_run -e TZ=America/New_York "$image" node -p 'new Date(0).getTimezoneOffset()') $(node_run "$image" node -p 'new Date(0).getTimezoneOffset()')" "300 0"

  check "node base: Intl formats English and offers no other locale (English-only ICU data)" \
    expect_eq "$(node_run "$image" node -p '[
      new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeZone: "Asia/Tokyo" }).format(0),
      new Intl.NumberFormat("en-US", { style: "currency", currency: "EUR" }).format(1234.5),
      Intl.DateTimeFormat.supportedLocalesOf(["de", "en-GB"]).join(),
      new Intl.Segmenter("en", { granularity: "word" }).segment("你好世界").containing(0).segment,
    ].join(" | ")')" "1 January 1970 | €1,234.50 | en-GB | 你好"

  check "node base: global fetch and http work (health-check style request)" \
    node_run "$image" node -e '
      const http = require("node:http");
      const server = http.createServer((req, res) => res.end(JSON.stringify({ status: "ok" })));
      server.listen(0, "127.0.0.1", async () => {
        const res = await fetch(`http://127.0.0.1:${server.address().port}/health`);
        const body = await res.json();
        server.close();
        process.exit(res.status === 200 && body.status === "ok" ? 0 : 1);
      });'

  # TLS: a server certificate signed by a private CA verifies once that CA is added with NODE_EXTRA_CA_CERTS (the
  # way to add one without a shell or update-ca-certificates), and fails without it.
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=todo-images-test CA' \
    -keyout "$WORK/ca.key" -out "$WORK/ca.crt" >/dev/null 2>&1
  openssl req -newkey rsa:2048 -nodes -subj '/CN=localhost' -keyout "$WORK/server.key" -out "$WORK/server.csr" \
    >/dev/null 2>&1
  printf 'subjectAltName=DNS:localhost\n' >"$WORK/san.ext"
  openssl x509 -req -in "$WORK/server.csr" -CA "$WORK/ca.crt" -CAkey "$WORK/ca.key" -CAcreateserial -days 2 \
    -extfile "$WORK/san.ext" -out "$WORK/server.crt" >/dev/null 2>&1
  chmod 644 "$WORK"/*
  local tls_script='
    const https = require("node:https");
    const fs = require("node:fs");
    const server = https.createServer(
      { key: fs.readFileSync("/certs/server.key"), cert: fs.readFileSync("/certs/server.crt") },
      (req, res) => res.end("ok"));
    server.listen(0, "127.0.0.1", () => {
      https.get({ host: "127.0.0.1", servername: "localhost", port: server.address().port, path: "/" }, (res) => {
        res.resume();
        res.on("end", () => { server.close(); console.log("verified"); });
      }).on("error", (err) => { server.close(); console.log(err.code); });
    });'
  check "node base: TLS verification trusts a private CA given in NODE_EXTRA_CA_CERTS" \
    expect_eq "$(node_run -v "$WORK:/certs:ro" -e NODE_EXTRA_CA_CERTS=/certs/ca.crt "$image" node -e "$tls_script")" \
    verified
  check "node base: TLS verification rejects a certificate from an unknown CA" \
    expect_eq "$(node_run -v "$WORK:/certs:ro" "$image" node -e "$tls_script")" UNABLE_TO_VERIFY_LEAF_SIGNATURE

  check "node base: /var/lib/dpkg/status.d names the Debian packages inside (for image scanners)" \
    expect_eq "$(node_run "$image" node -p '
      const names = require("node:fs").readdirSync("/var/lib/dpkg/status.d");
      ["nodejs", "libc6", "ca-certificates", "tzdata"].filter((name) => names.includes(name)).join()')" \
    nodejs,libc6,ca-certificates,tzdata
}

# ---------------------------------------------------------------------------------------------------------------------
# PostgreSQL image

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
  docker logs "$1" 2>&1 | grep -qF "$2" || fail_with "no '$2' in: $(docker logs "$1" 2>&1 | tail -n 5)"
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


main() {
  command -v openssl >/dev/null 2>&1 || die "openssl is needed for the TLS test certificates: apt-get install -y openssl"
  docker info >/dev/null 2>&1 || die "no Docker daemon answers. Run: bash tools/ci/install-docker.sh"
  if [[ -z ${NODE_BASE_IMAGE:-} || -z ${POSTGRES_IMAGE:-} ]]; then
    local line refs
    refs=$("$IMAGES_DIR/base-images.sh" ensure) || die "tools/images/base-images.sh failed (see above)."
    while IFS= read -r line; do
      case $line in
        NODE_BASE_IMAGE=*) : "${NODE_BASE_IMAGE:=${line#*=}}" ;;
        POSTGRES_IMAGE=*) : "${POSTGRES_IMAGE:=${line#*=}}" ;;
      esac
    done <<<"$refs"
  fi
  export POSTGRES_IMAGE

  test_node_base "$NODE_BASE_IMAGE"
  test_postgres

  assert_summary
}

main "$@"
