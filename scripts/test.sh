#!/usr/bin/env bash
# Run every test: lint and types, unit and service tests, then integration tests against a real
# local Kafka broker, which this script starts and always stops again.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k contract`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"

status=0
echo "== ruff"; ruff check . || status=1
echo "== mypy"; mypy || status=1

started_kafka=0
if [ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" ]; then
  if ! jobmatch kafka status >/dev/null 2>&1; then
    jobmatch kafka start
    started_kafka=1
  else
    jobmatch kafka create-topics
  fi
fi
stop_kafka() { if [ "$started_kafka" = 1 ]; then jobmatch kafka stop || true; fi; }
trap stop_kafka EXIT

echo "== pytest"
set +e
python -m pytest tests "$@"
rc=$?
set -e
# pytest exits 5 when it collected no test: that is a failure here, not a pass.
if [ "$rc" -ne 0 ]; then status=1; fi
exit "$status"
