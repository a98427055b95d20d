"""The installed libraries are past the advisories known when this was written (issue 13, item 8).

A pin in requirements.txt can be lowered by mistake, and an environment can be built from an
older lock; this test fails then. It knows only what was known when a floor was set: run
``pip-audit -r requirements.txt`` (docs/security.md) for what was published since.
"""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

import pytest
from packaging.version import Version

#: distribution → (lowest acceptable version, the advisories that version is past)
FLOORS = {
    # CVE-2023-30861 (session cookie cached by proxies without Vary: Cookie, fixed 2.3.2);
    # CVE-2025-47278 (the fallback secret keys used in the wrong order, fixed 3.1.1).
    "Flask": ("3.1.1", "CVE-2023-30861, CVE-2025-47278"),
    # CVE-2024-34069 (debugger PIN bypass, 3.0.3); CVE-2024-49766 and CVE-2024-49767
    # (safe_join on UNC paths, multipart form exhaustion, 3.0.6); CVE-2025-66221 (safe_join
    # accepting Windows device names, 3.1.4).
    "Werkzeug": ("3.1.4", "CVE-2024-34069, CVE-2024-49766, CVE-2024-49767, CVE-2025-66221"),
    # CVE-2024-22195 and CVE-2024-34064 (xmlattr keys, 3.1.3/3.1.4); CVE-2024-56201 and
    # CVE-2024-56326 (sandbox escapes, 3.1.5); CVE-2025-27516 (|attr sandbox escape, 3.1.6).
    "Jinja2": ("3.1.6", "CVE-2024-22195, CVE-2024-34064, CVE-2024-56201, CVE-2024-56326, "
                        "CVE-2025-27516"),
    # CVE-2023-33733 (code execution through rl_safe_eval in markup colours, fixed 3.6.13):
    # our PDFs put user text into Paragraph markup, escaped (app.documents), but the floor
    # is the second wall.
    "reportlab": ("3.6.13", "CVE-2023-33733"),
    # The PostgreSQL driver: no advisory known against psycopg 3; the floor is the release
    # line the code is written for (binary wheels, pipeline mode, Connection.info).
    "psycopg": ("3.2.0", "none known; the supported line"),
    # CVE-2023-28858 and CVE-2023-28859 (a cancelled command leaving its answer for the next
    # caller, fixed 4.5.4): rate-limit counters and the page cache read Redis.
    "redis": ("4.5.4", "CVE-2023-28858, CVE-2023-28859"),
    # CVE-2024-1135 and CVE-2024-6827 (request smuggling through Transfer-Encoding, 22.0/23.0).
    "gunicorn": ("23.0.0", "CVE-2024-1135, CVE-2024-6827"),
    # CVE-2020-14343 (full_load runs code, fixed 5.4): the OpenAPI spec is YAML.
    "PyYAML": ("5.4", "CVE-2020-14343"),
}


@pytest.mark.parametrize("distribution", sorted(FLOORS))
def test_installed_version_is_past_the_known_advisories(distribution):
    floor, advisories = FLOORS[distribution]
    try:
        installed = version(distribution)
    except PackageNotFoundError:
        pytest.fail(f"{distribution} is in requirements.txt but not installed")
    assert Version(installed) >= Version(floor), (
        f"{distribution} {installed} is older than {floor} ({advisories}); "
        f"raise the pin in requirements.txt")


def test_every_floor_names_a_pinned_requirement():
    """A floor for something requirements.txt no longer lists would guard nothing."""
    from pathlib import Path

    from app.config import BASE_DIR

    pinned = {line.split("==")[0].split("[")[0].strip().lower()
              for line in Path(BASE_DIR / "requirements.txt").read_text().splitlines()
              if "==" in line and not line.lstrip().startswith("#")}
    assert {name.lower() for name in FLOORS} <= pinned


def test_the_pins_themselves_are_past_the_floors():
    """requirements.txt, not only this environment, asks for safe versions."""
    from pathlib import Path

    from app.config import BASE_DIR

    pins = {}
    for line in Path(BASE_DIR / "requirements.txt").read_text().splitlines():
        if "==" in line and not line.lstrip().startswith("#"):
            name, pinned = line.split("==", 1)
            pins[name.split("[")[0].strip().lower()] = pinned.split("#")[0].strip()
    too_low = {name: pins[name.lower()] for name, (floor, _) in FLOORS.items()
               if Version(pins[name.lower()]) < Version(floor)}
    assert not too_low
