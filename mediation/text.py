"""Text typed by people: which characters the court can store, print and show.

A complaint's facts, a name, a search box — whatever a person types ends up in the
database, on a PDF and on someone else's screen. A few characters never belong there:

- **NUL** (U+0000): PostgreSQL refuses it in any text column, SQLite stores it and cuts
  the text short where C code reads it; it is never typed, only pasted or forged.
- **other control characters** (U+0001–U+001F except tab, line feed and carriage
  return; DEL U+007F; the C1 block U+0080–U+009F): invisible, they make two texts that
  look alike differ and can break a PDF or a CSV export. Tab and line breaks are kept
  (a browser sends a textarea's line breaks as CR LF).
- **a lone surrogate** (U+D800–U+DFFF): not a character at all but half of a broken
  UTF-16 pair, which a JSON text may contain as ``"\\ud800"``; it cannot be encoded as
  UTF-8 and so cannot be stored or sent on.

:func:`unstorable_character` finds the first such character; the web forms, the API
schemas and the request guard all ask it (docs/input-safety.md).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["UnstorableCharacter", "unstorable_character"]

_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


@dataclass(frozen=True)
class UnstorableCharacter:
    """The first character of a text that cannot be stored, and why."""

    position: int  # 1-based, as a person counts characters
    codepoint: str  # "U+0000"
    kind: str  # "nul", "control" or "surrogate"


def unstorable_character(text: str) -> UnstorableCharacter | None:
    """Return the first character of ``text`` that cannot be stored, or ``None``."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    char = found.group()
    kind = "nul" if char == "\x00" else "surrogate" if "\ud800" <= char <= "\udfff" else "control"
    return UnstorableCharacter(found.start() + 1, f"U+{ord(char):04X}", kind)
