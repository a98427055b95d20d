#!/usr/bin/env bash
# One command for a fresh machine: virtualenv, dependencies, database, demo data, server.
# Usage: ./run.sh            (then open http://127.0.0.1:5000)
#        ./run.sh --fresh-demo   rebuild the demo data even if the database has some
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PYTHON" -m venv .venv
fi
echo "==> installing dependencies"
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r requirements.txt
export FLASK_APP=wsgi
echo "==> compiling translations"
.venv/bin/pybabel compile --directory translations --statistics 2>&1 | tail -n 1
echo "==> migrating the database"
.venv/bin/flask db upgrade
if [ "${1:-}" = "--fresh-demo" ] || ! .venv/bin/flask demo-present; then
  .venv/bin/flask demo
fi
# One scheduler beside the web server (reminders, notices, nightly jobs; app/jobs.py):
# started in the background, stopped with the server (Ctrl-C, kill, or the server dying).
echo "==> starting the scheduler (flask scheduler)"
.venv/bin/flask scheduler &
SCHEDULER_PID=$!
trap 'kill "$SCHEDULER_PID" 2>/dev/null || true; wait "$SCHEDULER_PID" 2>/dev/null || true' EXIT INT TERM
echo "==> serving on http://127.0.0.1:${PORT:-5000} (Ctrl-C stops both)"
.venv/bin/flask run --host 127.0.0.1 --port "${PORT:-5000}"
