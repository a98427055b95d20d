"""``python -m risk.warnings SNAPSHOT.json [--lang zh|en]`` — evaluate a snapshot (docs/early-warnings.md).

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

from mediation.command_line import EXIT_INVALID, InputError, read_input, refuse  # noqa: F401  (exit codes)
from risk.warnings.engine import assess
from risk.warnings.snapshot import SnapshotError, parse_snapshot

EXIT_OK = 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m risk.warnings",
                                     description="Evaluate the early-warning rules on a snapshot.")
    parser.add_argument("snapshot", help="snapshot JSON file ('-' reads stdin)")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the facts")
    args = parser.parse_args(argv)
    try:
        snapshot = parse_snapshot(read_input(args.snapshot))
    except (InputError, SnapshotError) as error:
        return refuse("snapshot", error)
    except RecursionError:
        return refuse("snapshot", "snapshot: nested too deeply")
    result = assess(snapshot).as_json(args.lang)
    sys.stdout.buffer.write(json.dumps(result, ensure_ascii=False, indent=2).encode("utf-8") + b"\n")
    sys.stdout.flush()
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
