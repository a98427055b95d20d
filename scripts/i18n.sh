#!/usr/bin/env bash
# Re-extract the messages, merge them into the Chinese catalog, and compile.
# Then translate the new (empty) entries in translations/zh/LC_MESSAGES/messages.po.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot .
if [ -f translations/zh/LC_MESSAGES/messages.po ]; then
  .venv/bin/pybabel update -i translations/messages.pot -d translations -l zh --no-fuzzy-matching
else
  .venv/bin/pybabel init -i translations/messages.pot -d translations -l zh
fi
.venv/bin/pybabel compile -d translations --statistics
