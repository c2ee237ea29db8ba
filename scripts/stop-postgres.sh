#!/usr/bin/env bash
# Stop the test PostgreSQL started by scripts/start-postgres.sh (its data stays, for the next start).
set -euo pipefail
cd "$(dirname "$0")/.."
# Outside the checkout: the server runs as the `postgres` user, who may not be able to enter
# the folder the project was cloned into (a home directory, say). One cluster per checkout.
DATA="${JOBMATCH_PG_DATA:-${TMPDIR:-/tmp}/jobmatch-pg-$(printf %s "$PWD" | sha1sum | cut -c1-12)}"
PGBIN="${PGBIN:-}"
if [ -z "$PGBIN" ]; then
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/pg_ctl" ] && PGBIN="$d"; done
fi
[ -f "$DATA/PG_VERSION" ] || exit 0
as_owner() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}
if as_owner "'$PGBIN/pg_ctl' -D '$DATA' status" >/dev/null 2>&1; then
  as_owner "'$PGBIN/pg_ctl' -D '$DATA' -m fast -w stop" >&2
fi
