"""``python -m risk.warnings SNAPSHOT.json [--lang zh|en]`` — evaluate a snapshot (DESIGN §5).

Prints ``{"projects": [{"id", "level", "warnings": [{"rule", "level", "facts"}]}],
"developers": [{"id", "level", "blacklisted", "warnings": [...]}]}`` as JSON on stdout,
level ``none`` where no rule fires, facts in Chinese (``--lang en``: English). Exit 0; 2 on
invalid input, with one line on stderr naming the field and no traceback. ``-`` reads stdin.
Working days: the ``chinese_calendar`` notices, and the lunar estimate past them.
"""
from __future__ import annotations

import argparse
import json
import sys

from risk.warnings.engine import assess
from risk.warnings.snapshot import SnapshotError, parse_snapshot

EXIT_OK = 0
EXIT_INVALID = 2


def _fail(message: str) -> int:
    print("invalid snapshot: " + " ".join(message.split()), file=sys.stderr)
    return EXIT_INVALID


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m risk.warnings",
                                     description="Evaluate the early-warning rules on a snapshot.")
    parser.add_argument("snapshot", help="snapshot JSON file ('-' reads stdin)")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the facts")
    args = parser.parse_args(argv)
    try:
        if args.snapshot == "-":
            text = sys.stdin.buffer.read().decode("utf-8")
        else:
            with open(args.snapshot, encoding="utf-8") as handle:
                text = handle.read()
    except (OSError, UnicodeDecodeError) as error:
        return _fail(f"cannot read {args.snapshot}: {error}")
    try:
        snapshot = parse_snapshot(text)
    except SnapshotError as error:
        return _fail(str(error))
    except RecursionError:
        return _fail("snapshot: nested too deeply")
    result = assess(snapshot).as_json(args.lang)
    sys.stdout.buffer.write(json.dumps(result, ensure_ascii=False, indent=2).encode("utf-8") + b"\n")
    sys.stdout.flush()
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
