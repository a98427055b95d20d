"""The browser under the Content-Security-Policy: nothing it needs is refused (issue 13).

The policy allows no inline script or style; a page that still needed one would lose it
silently. Here chromium reports every violation (``securitypolicyviolation`` events and the
console), on the pages that run scripts or draw: login, the filing form with its live
project search and character counter, the calculators, the court's pages.
"""
from __future__ import annotations

from tests.factories import PASSWORD

_WATCH = """() => {
  window.__cspViolations = window.__cspViolations || [];
  document.addEventListener('securitypolicyviolation', e =>
    window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
}"""


def _violations(page, console: list[str]) -> list[str]:
    found = page.evaluate("() => window.__cspViolations || []")
    return found + [line for line in console if "Content Security Policy" in line]


def _log_in(page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_load_state()


def test_the_pages_with_scripts_run_them_and_break_no_policy(page, make):
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.context.add_init_script(script=f"({_WATCH})()")
    homeowner = make.user("homeowner")
    make.project()

    page.goto("/login")
    assert page.evaluate("() => document.querySelectorAll('script[src]').length") >= 1
    _log_in(page, homeowner.username)
    page.goto("/homeowner/complaints/new")
    # forms.js ran: the facts textarea got its character counter.
    assert page.get_by_test_id("char-counter").count() >= 1
    page.goto("/homeowner/calculators")
    page.wait_for_load_state()
    assert _violations(page, console) == []

    judge = make.user("judge")
    page.context.clear_cookies()
    _log_in(page, judge.username)
    for path in ("/court/", "/court/triage"):
        page.goto(path)
        page.wait_for_load_state()
    # The stylesheet applied (a style from static/css, not inline).
    assert page.evaluate("() => document.styleSheets.length") >= 1
    assert _violations(page, console) == []
