#!/usr/bin/env bash
# Entrypoint of todo-stack/postgres: the interface of the official postgres:17 image on top of Debian's packages.
#
#   POSTGRES_PASSWORD        password of POSTGRES_USER; required unless POSTGRES_HOST_AUTH_METHOD=trust
#   POSTGRES_USER            superuser created by initdb (default: postgres)
#   POSTGRES_DB              database created on first start (default: $POSTGRES_USER)
#   POSTGRES_INITDB_ARGS     extra arguments for initdb (split on spaces)
#   POSTGRES_HOST_AUTH_METHOD  pg_hba method for TCP connections (default: scram-sha-256)
#   PGDATA                   data directory (default: /var/lib/postgresql/data)
#   PGPORT                   port (default: 5432)
# Each POSTGRES_* variable may instead be given as a file path in <NAME>_FILE (e.g. a mounted secret).
#
# On the first start with an empty PGDATA it runs initdb, creates POSTGRES_DB, runs /docker-entrypoint-initdb.d/*
# (*.sh, *.sql, *.sql.gz) against a socket-only server, then starts the server in the foreground as PID 1.
# Started as root, it fixes the ownership of PGDATA and drops to postgres (999:999); started as any other uid
# (e.g. a Kubernetes runAsUser), it runs as that uid and needs PGDATA (or its parent) to be writable.
set -Eeuo pipefail
shopt -s nullglob

log() { printf '%s [entrypoint] %s\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')" "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

# Reads VAR from VAR or VAR_FILE (never both), falling back to a default.
env_or_file() {
  local var=$1 default=${2:-} file_var="${1}_FILE"
  if [[ -n ${!var:-} && -n ${!file_var:-} ]]; then
    die "both $var and $file_var are set; set only one of them."
  fi
  local value=$default
  if [[ -n ${!var:-} ]]; then
    value=${!var}
  elif [[ -n ${!file_var:-} ]]; then
    [[ -r ${!file_var} ]] || die "$file_var=${!file_var} is not a readable file."
    value=$(<"${!file_var}")
  fi
  export "$var=$value"
  unset "$file_var"
}

# As root: hand the data and socket directories to postgres, then run this script again as postgres.
drop_root() {
  mkdir -p "$PGDATA"
  # Only what is not owned yet (a fresh volume, or one written by another uid), not a full chown of a large cluster.
  find "$PGDATA" \! -user postgres -exec chown postgres:postgres '{}' +
  chmod 0700 "$PGDATA"
  mkdir -p /var/run/postgresql
  chown postgres:postgres /var/run/postgresql
  chmod 3777 /var/run/postgresql
  exec setpriv --reuid=postgres --regid=postgres --init-groups -- "${BASH_SOURCE[0]}" "$@"
}

prepare_data_dir() {
  if ! mkdir -p "$PGDATA" 2>/dev/null; then
    die "cannot create PGDATA=$PGDATA as uid $(id -u). Make its parent writable for this uid (e.g. fsGroup), or set PGDATA to a subdirectory of a writable volume."
  fi
  # initdb requires 0700 (or 0750); a directory owned by someone else is reported by initdb itself.
  chmod 0700 "$PGDATA" 2>/dev/null || true
}

is_initialised() { [[ -s $PGDATA/PG_VERSION ]]; }

run_initdb() {
  env_or_file POSTGRES_PASSWORD
  env_or_file POSTGRES_USER postgres
  env_or_file POSTGRES_DB "$POSTGRES_USER"
  env_or_file POSTGRES_INITDB_ARGS
  local auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}

  if [[ -z $POSTGRES_PASSWORD && $auth != trust ]]; then
    die "the database is not initialised and POSTGRES_PASSWORD is not set. Set POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE); to allow connections without a password (never in production), set POSTGRES_HOST_AUTH_METHOD=trust."
  fi
  if [[ -n $(ls -A "$PGDATA") ]]; then
    die "PGDATA=$PGDATA is not empty but holds no database (no PG_VERSION). If it is a mount point with other files (e.g. lost+found), set PGDATA to a subdirectory of it, such as $PGDATA/pgdata."
  fi

  log "initialising a new database cluster in $PGDATA (superuser: $POSTGRES_USER)"
  local -a args=(--pgdata="$PGDATA" --username="$POSTGRES_USER" --encoding=UTF8)
  # shellcheck disable=SC2206 # POSTGRES_INITDB_ARGS is a space-separated list of arguments, as in the official image
  args+=($POSTGRES_INITDB_ARGS)
  if [[ -n $POSTGRES_PASSWORD ]]; then
    # The password goes through a pipe, never a file or the command line.
    initdb "${args[@]}" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") >&2
  else
    initdb "${args[@]}" >&2
  fi

  # Local (socket) connections keep initdb's default (trust); TCP connections from anywhere use $auth.
  printf '\n# Added by docker-entrypoint.sh\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"
  printf "\n# Added by docker-entrypoint.sh\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"

  # A temporary server on a private Unix socket only: nothing can connect, and `pg_isready` (TCP or the usual
  # socket) does not report ready, until initialisation is complete. Init scripts reach it through PGHOST.
  local init_socket_dir=/var/run/postgresql/initdb
  mkdir -p "$init_socket_dir"
  export PGHOST=$init_socket_dir
  pg_ctl --pgdata="$PGDATA" --wait --silent \
    --options="-c listen_addresses='' -c unix_socket_directories=$init_socket_dir -p ${PGPORT:-5432}" start >&2
  local -a psql=(psql --no-psqlrc --quiet -v ON_ERROR_STOP=1 --username="$POSTGRES_USER" --no-password)
  if [[ $POSTGRES_DB != postgres ]]; then
    log "creating database $POSTGRES_DB"
    "${psql[@]}" --dbname=postgres --set=db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
  fi
  local file
  for file in /docker-entrypoint-initdb.d/*; do
    case $file in
      *.sh)
        log "running $file"
        if [[ -x $file ]]; then "$file"; else
          # shellcheck disable=SC1090 # user-provided script, sourced like the official image does
          . "$file"
        fi
        ;;
      *.sql)
        log "running $file"
        "${psql[@]}" --dbname="$POSTGRES_DB" --file="$file"
        ;;
      *.sql.gz)
        log "running $file"
        gzip -dc "$file" | "${psql[@]}" --dbname="$POSTGRES_DB"
        ;;
      *) log "ignoring $file (not *.sh, *.sql or *.sql.gz)" ;;
    esac
  done
  pg_ctl --pgdata="$PGDATA" --wait --silent --mode=fast stop >&2
  unset PGHOST
  rmdir "$init_socket_dir" 2>/dev/null || true
  log "initialisation complete; starting the server"
}

main() {
  # `docker run image -c shared_buffers=256MB` passes server options, as with the official image.
  if [[ ${1:-} == -* ]]; then
    set -- postgres "$@"
  fi
  # Any other command (psql, bash, pg_dump...) runs as given.
  if [[ ${1:-} != postgres ]]; then
    exec "$@"
  fi
  if [[ $(id -u) == 0 ]]; then
    drop_root "$@"
  fi
  prepare_data_dir
  is_initialised || run_initdb
  # PID 1 is the server itself, so the stop signal (SIGINT, see the Dockerfile) reaches it directly.
  exec "$@"
}

main "$@"
