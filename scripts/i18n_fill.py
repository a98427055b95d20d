"""Fill the Chinese catalog from translations/source/*.zh.json, then report what is missing.

Message ids are English; the Chinese texts live in small JSON files, one per area of the
app, so several people can add translations without editing the same .po file.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "translations" / "zh" / "LC_MESSAGES" / "messages.po"


def main() -> int:
    zh: dict[str, str] = {}
    for source in sorted((ROOT / "translations" / "source").glob("*.zh.json")):
        zh.update(json.loads(source.read_text(encoding="utf-8")))
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="zh")
    missing = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in zh:
            message.string = zh[key]
            message.flags.discard("fuzzy")
        else:
            message.string = ""
            missing.append(key)
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False)
    for key in missing:
        print(f"untranslated: {key!r}", file=sys.stderr)
    print(f"{len(catalog) - 1 - len(missing)} translated, {len(missing)} missing")
    return 0


if __name__ == "__main__":
    sys.exit(main())
