"""Every message of the interface has its Simplified Chinese translation."""
from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

PO = Path(__file__).resolve().parents[2] / "translations" / "zh" / "LC_MESSAGES" / "messages.po"


def test_the_chinese_catalog_translates_every_message():
    """Would a Chinese reader meet an English sentence anywhere? (run scripts/i18n.sh)"""
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="zh")
    untranslated = [m.id for m in catalog if m.id and not m.string]
    assert untranslated == []
    assert len(catalog) > 50
