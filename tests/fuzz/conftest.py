"""The fuzzing tests print what they did (requests, operations, roles) after the run."""
from __future__ import annotations

#: Lines the fuzzing tests want shown in the terminal summary (also with -q).
FIGURES: list[str] = []


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("fuzzing figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
