#!/usr/bin/env bash
# Start a throwaway PostgreSQL for the feed's tests, idempotently, and print its DATABASE_URL.
#   export DATABASE_URL=$(bash scripts/start-postgres.sh)
# The cluster lives in a folder under /tmp named for this checkout and listens on 127.0.0.1:${JOBMATCH_PG_PORT:-55432} only,
# with trust authentication: it is for local tests, never for data that matters.
# initdb refuses to run as root, so as root the server runs as the `postgres` system user.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${JOBMATCH_PG_PORT:-55432}"
# Outside the checkout: the server runs as the `postgres` user, who may not be able to enter
# the folder the project was cloned into (a home directory, say). One cluster per checkout.
DATA="${JOBMATCH_PG_DATA:-${TMPDIR:-/tmp}/jobmatch-pg-$(printf %s "$PWD" | sha1sum | cut -c1-12)}"
DB=jobmatch_test
PGBIN="${PGBIN:-}"
if [ -z "$PGBIN" ]; then
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && PGBIN="$d"; done
fi
if [ -z "$PGBIN" ] && command -v initdb >/dev/null; then PGBIN="$(dirname "$(command -v initdb)")"; fi
[ -n "$PGBIN" ] || { echo "PostgreSQL binaries not found (set PGBIN)" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}

mkdir -p "$DATA"
if [ "$(id -u)" = 0 ]; then chown postgres "$DATA"; chmod 700 "$DATA"; fi
if [ ! -f "$DATA/PG_VERSION" ]; then
  as_owner "'$PGBIN/initdb' -D '$DATA' -U jobmatch --auth=trust -E UTF8 --no-instructions" >&2
fi
if ! as_owner "'$PGBIN/pg_ctl' -D '$DATA' status" >/dev/null 2>&1; then
  as_owner "'$PGBIN/pg_ctl' -D '$DATA' -l '$DATA/server.log' -w -t 60 \
    -o \"-p $PORT -h 127.0.0.1 -k '$DATA'\" start" >&2
fi
psql_() { as_owner "'$PGBIN/psql' -h 127.0.0.1 -p $PORT -U jobmatch -d postgres -v ON_ERROR_STOP=1 -tAc \"$1\""; }
if [ "$(psql_ "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]; then
  psql_ "CREATE DATABASE $DB" >&2
fi
echo "postgresql+psycopg://jobmatch@127.0.0.1:$PORT/$DB"
