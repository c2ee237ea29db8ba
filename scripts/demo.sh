#!/usr/bin/env bash
# The README's first command: set up on a fresh machine, then run the whole pipeline once on the
# sample data (Kafka, a matcher worker, ingest, referrals). Extra arguments go to `jobmatch demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/jobmatch demo "$@"
