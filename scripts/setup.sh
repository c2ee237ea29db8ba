#!/usr/bin/env bash
# Create .venv and install jobmatch with its dev tools. Safe to run again: it reinstalls only
# when pyproject.toml changed. Prerequisites: Python 3.11+, Java 17+, Maven (see README).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "jobmatch needs Python 3.11 or newer (found $("$PYTHON" --version))" >&2; exit 1; }
for tool in java mvn; do
  command -v "$tool" >/dev/null || { echo "jobmatch needs $tool on PATH (see README)" >&2; exit 1; }
done

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.jobmatch-installed
want=$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  # The venv's bundled pip and setuptools carry known advisories (scripts/audit_offline.py).
  .venv/bin/python -m pip install --quiet --upgrade "pip>=25.0" "setuptools>=78.1.1"
  .venv/bin/python -m pip install --quiet -e '.[dev]'
  echo "$want" > "$stamp"
fi
