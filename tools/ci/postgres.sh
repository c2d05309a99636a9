#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server from Debian's packages for CI (trust auth on 127.0.0.1 only)
# and prints `export TEST_POSTGRES_URL=...`. Usage: eval "$(tools/ci/postgres.sh start)"; tools/ci/postgres.sh stop
set -euo pipefail

DIR=${TODO_STACK_PG_DIR:-/tmp/todo-stack-ci-postgres}
PORT=${TODO_STACK_PG_PORT:-55432}

bin_dir() {
  local dir
  dir=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  [ -x "$dir/initdb" ] || { echo "PostgreSQL server binaries not found: apt-get install -y postgresql" >&2; exit 1; }
  echo "$dir"
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    BIN=$(bin_dir)
    if [ -f "$DIR/data/postmaster.pid" ] && as_postgres "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
      echo "export TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$PORT/postgres"
      exit 0
    fi
    rm -rf "$DIR" && mkdir -p "$DIR"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR"
    as_postgres "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
    if ! as_postgres "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
      -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null; then
      echo "PostgreSQL did not start on 127.0.0.1:$PORT; the end of its log ($DIR/server.log):" >&2
      tail -n 15 "$DIR/server.log" >&2 || true
      if command -v ss >/dev/null && ss -Hltn "sport = :$PORT" | grep -q .; then
        echo "Port $PORT is already in use: stop what listens there, or pick another port with TODO_STACK_PG_PORT=<port>." >&2
      fi
      exit 1
    fi
    echo "export TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$PORT/postgres"
    ;;
  stop)
    BIN=$(bin_dir)
    if [ -d "$DIR/data" ]; then as_postgres "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true; fi
    rm -rf "$DIR"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 64
    ;;
esac
