"""Which characters typed text may hold (mediation.text)."""
from __future__ import annotations

import pytest

from mediation.text import UnstorableCharacter, unstorable_character


@pytest.mark.parametrize("text", ["", "张三", "第一段\r\n第二段\t完", "🏠 3栋502", "\u00a0\u3000"])
def test_ordinary_text_tabs_and_line_breaks_are_kept(text):
    assert unstorable_character(text) is None


@pytest.mark.parametrize("text, found", [
    ("ab\x00", UnstorableCharacter(3, "U+0000", "nul")),
    ("\x1b[31m", UnstorableCharacter(1, "U+001B", "control")),
    ("a\x0bb", UnstorableCharacter(2, "U+000B", "control")),
    ("x\x7f", UnstorableCharacter(2, "U+007F", "control")),
    ("\u0085", UnstorableCharacter(1, "U+0085", "control")),
    ("房\ud800", UnstorableCharacter(2, "U+D800", "surrogate")),
    ("\udfff", UnstorableCharacter(1, "U+DFFF", "surrogate")),
])
def test_the_first_unstorable_character_is_named_with_its_position(text, found):
    """Does the rule say which character, where, and of what kind?"""
    assert unstorable_character(text) == found
