#!/usr/bin/env bash
# Re-extract the messages, merge them into the Chinese catalog, fill it from
# translations/source/*.zh.json, and compile. Safe to run from several shells at once.
set -euo pipefail
cd "$(dirname "$0")/.."
exec 9>/tmp/mediation-platform-i18n.lock
flock 9
.venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot . >/dev/null 2>&1
if [ -f translations/zh/LC_MESSAGES/messages.po ]; then
  .venv/bin/pybabel update -i translations/messages.pot -d translations -l zh --no-fuzzy-matching --ignore-obsolete >/dev/null
else
  .venv/bin/pybabel init -i translations/messages.pot -d translations -l zh
fi
.venv/bin/python scripts/i18n_fill.py
.venv/bin/pybabel compile -d translations -f >/dev/null
