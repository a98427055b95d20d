#!/usr/bin/env bash
# One command to install what the tests need and run every test:
# the whole suite on SQLite, then again on PostgreSQL when TEST_DATABASE_URL is set.
# Extra arguments go to pytest (e.g. ./test.sh -k login).
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PYTHON" -m venv .venv
fi
echo "==> installing test dependencies"
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r requirements-dev.txt
.venv/bin/pybabel compile --directory translations 2>&1 | tail -n 1
echo "==> tests on SQLite"
.venv/bin/python -m pytest "$@"
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  echo "==> tests on PostgreSQL (${TEST_DATABASE_URL})"
  # The domain tests touch no database; everything else runs again on PostgreSQL.
  .venv/bin/python -m pytest --db=postgres --ignore=tests/domain "$@"
fi
