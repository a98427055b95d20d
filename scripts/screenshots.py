"""Take the README's screenshots from a running platform (./run.sh) with headless chromium.

Usage: .venv/bin/python scripts/screenshots.py [http://127.0.0.1:5000] [NAME.png …]
(names: only those screenshots)
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000"
ONLY = set(sys.argv[2:])
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PASSWORD = os.environ.get("DEMO_PASSWORD", "Demo@2026")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]

SHOTS = [
    # (file, username or None, path, viewport)
    ("start.png", None, "/", (1280, 800)),
    ("judge-home.png", "judge", "/court/", (1280, 900)),
    ("judge-cases.png", "judge", "/court/cases", (1280, 900)),
    ("judge-triage.png", "judge", "/court/triage", (1280, 900)),
    ("judge-stats.png", "judge", "/court/stats", (1280, 700)),
    ("homeowner-phone.png", "homeowner", "/homeowner/", (390, 844)),
    ("homeowner-filing-phone.png", "homeowner", "/homeowner/complaints/new", (390, 844)),
    ("risk-map.png", "judge", "/prevention/risk", (1280, 900)),
    # The demo's third developer: its plan's first stage awaits approval (app/demo_release.py).
    ("release-plan.png", "judge", "/court/developers/3/release", (1280, 900)),
]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for name, user, path, (width, height) in SHOTS:
            if ONLY and name not in ONLY:
                continue
            context = browser.new_context(base_url=BASE, viewport={"width": width, "height": height},
                                          locale="zh-CN", device_scale_factor=1)
            page = context.new_page()
            if user:
                page.goto("/login")
                page.get_by_label("用户名").fill(user)
                page.get_by_label("密码").fill(PASSWORD)
                page.get_by_test_id("login-submit").click()
                page.wait_for_load_state()
            response = page.goto(path)
            if response is None or response.status != 200:
                print(f"skip {name}: {path} answered {response.status if response else '?'}")
                context.close()
                continue
            page.screenshot(path=str(OUT / name), full_page=False)
            print(f"wrote {OUT / name}")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
