"""What the court's JSON commands share (``python -m risk.plan``, ``risk.warnings``,
``mediation.assign``): read the input file or stdin, and refuse bad input in one line.

Their contract: exit 2 on invalid input with one clear line on stderr and no traceback.
"""
from __future__ import annotations

import sys

EXIT_INVALID = 2  # also argparse's status for a bad command line


class InputError(Exception):
    """The input could not be read."""


def read_input(path: str) -> str:
    """The UTF-8 text of ``path`` (``-`` reads stdin), or InputError saying why not."""
    try:
        if path == "-":
            raw = getattr(sys.stdin, "buffer", None)  # a text stream in tests has none
            return raw.read().decode("utf-8") if raw is not None else sys.stdin.read()
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read {path}: {error}") from None


def refuse(what: str, message) -> int:
    """Print ``invalid <what>: <message>`` as one line on stderr; return the exit status 2."""
    print(f"invalid {what}: " + " ".join(str(message).split()), file=sys.stderr)
    return EXIT_INVALID
