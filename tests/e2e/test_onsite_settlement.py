"""On site, end to end: the mediator books a visit and records the session and the agreement,
the homeowner signs on a phone with a one-time code texted to it, the company signs with its
password, both apply, and the judge confirms.

With ``SCREENSHOT_DIR`` set, the phone's signing page (code typed, before signing) is saved
there as ``sign-otp-phone.png`` (docs/screenshots/)."""
from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

from app.models.types import utcnow
from mediation.lifecycle import court_date
from tests.factories import PASSWORD


def _log_in(page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_load_state()


def test_visit_agreement_phone_signature_and_confirmation(app, page, phone, browser, live_server, make):
    project = make.project(name="椰风海韵")
    mediator = make.user("mediator", username="mediator", court=project.court, name="陈调解")
    judge = make.user("judge", username="judge", court=project.court)
    owner = make.user("homeowner", username="homeowner", name="王海燕", phone="13907561234",
                      person=make.person("王海燕"))
    company = make.user("developer", username="developer", developer=project.developer)
    case = make.case(project=project, status="assigned", mediator=mediator.mediator, claimant=owner.person)
    today = court_date(utcnow())

    # The mediator books tomorrow's visit from the week page.
    _log_in(page, "mediator")
    page.goto("/mediator/visits")
    page.get_by_label(case.number, exact=False).check()
    page.locator("#room").fill("售楼部会议室")
    page.locator("#day").fill((today + timedelta(days=1)).isoformat())
    page.locator("#starts").fill("09:30")
    page.locator("#ends").fill("11:30")
    page.get_by_test_id("book-visit").click()
    page.wait_for_load_state()
    assert page.get_by_text("售楼部会议室").first.is_visible()

    # The session (recorded here as held yesterday) starts the mediation; the agreement follows.
    page.goto(f"/cases/{case.id}/sessions")
    page.locator("#day").fill((today - timedelta(days=1)).isoformat())
    page.locator("#starts").fill("09:30")
    page.locator("#place").fill("售楼部会议室")
    for box in page.locator("input[name=present]").all():
        box.check()
    page.locator("#notes").fill("双方就逾期交房违约金达成一致。")
    page.locator("#outcome").select_option("settled")
    page.get_by_test_id("record-session").click()
    page.wait_for_load_state()
    page.goto(f"/cases/{case.id}/agreement")
    page.locator("#terms").fill("被申请人于2027年3月31日前向申请人支付逾期交房违约金48,000元。")
    page.locator("#milestones").fill("支付违约金|开发企业|2027-03-31|48000|逾期交房违约金")
    page.get_by_test_id("record-agreement").click()
    page.wait_for_load_state()

    # The homeowner signs on a phone-sized screen, with the code texted to the phone.
    _log_in(phone, "homeowner")
    phone.goto(f"/cases/{case.id}/agreement")
    phone.get_by_test_id("send-code").click()
    phone.wait_for_load_state()
    assert "139****1234" in phone.content()
    code = re.search(r"\d{6}", app.extensions["sms"].last_to("13907561234")).group(0)
    phone.locator("#code").fill(code)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    if os.environ.get("SCREENSHOT_DIR"):
        phone.locator("#sign-otp-form, [data-testid=sign-otp-form]").first.scroll_into_view_if_needed()
        phone.screenshot(path=str(Path(os.environ["SCREENSHOT_DIR"]) / "sign-otp-phone.png"))
    phone.get_by_test_id("sign-otp").click()
    phone.wait_for_load_state()
    assert "签署" in phone.get_by_test_id("signatures").inner_text()
    with app.app_context():
        from sqlalchemy import select

        from app.extensions import db
        from app.models import AgreementSignature
        assert db.session.scalar(select(AgreementSignature.method)) == "otp"

    # The company signs: the agreement takes effect; both apply for judicial confirmation.
    desk = browser.new_context(base_url=live_server, locale="zh-CN")
    company_page = desk.new_page()
    _log_in(company_page, "developer")
    company_page.goto(f"/cases/{case.id}/agreement")
    company_page.locator("#password").fill(PASSWORD)
    company_page.get_by_test_id("sign").click()
    company_page.wait_for_load_state()
    assert company_page.get_by_test_id("case-status").inner_text().strip() == "已调解"
    company_page.goto(f"/cases/{case.id}/confirmation")
    company_page.get_by_test_id("apply-confirmation").click()
    company_page.wait_for_load_state()
    desk.close()
    phone.goto(f"/cases/{case.id}/confirmation")
    phone.get_by_test_id("apply-confirmation").click()
    phone.wait_for_load_state()

    # The judge confirms.
    page.context.clear_cookies()
    _log_in(page, "judge")
    page.goto(f"/cases/{case.id}/confirmation")
    page.locator("#decision-0").check()
    page.get_by_test_id("decide").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("case-status").inner_text().strip() == "已司法确认"
    assert "民特" in page.get_by_test_id("ruling").inner_text()
    assert page.get_by_test_id("obligations").is_visible()
