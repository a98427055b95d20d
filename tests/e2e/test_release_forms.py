"""In a real browser: a judge records a preservation order with its frozen account, a
counter-guarantee, accepts it, and the plan page shows a stage releasing the surplus."""
from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import update

from app.extensions import db
from app.models import Case
from tests.factories import PASSWORD

#: The records page as the judge leaves it, for docs/ — written only when UPDATE_SCREENSHOTS=1.
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "release-records.png"


def _log_in(page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_load_state()


def test_a_judge_records_an_order_a_guarantee_accepts_it_and_sees_a_stage(page, app, make):
    judge = make.user("judge", username="release-judge")
    project = make.project(court=judge.court, name="椰林湾")
    case = make.case(project=project)
    with app.app_context():
        db.session.execute(update(Case).where(Case.id == case.id).values(claim_total_fen=60_000_000))
        db.session.commit()
    developer_id = project.developer_id

    _log_in(page, "release-judge")
    page.goto(f"/court/developers/{developer_id}/release")
    page.get_by_test_id("records-link").click()
    page.get_by_role("link", name="登记保全裁定").click()
    page.locator("#ruling_no").fill("(2026)琼9005财保12号")
    page.locator("#ruled_on").fill("2026-06-01")
    page.locator("#expires_on").fill("2027-06-01")
    page.locator("#kind").select_option("bank_account")
    page.locator("#label").fill("基本户 4601")
    page.locator("#value").fill("８０００００")  # typed with a Chinese input method in full-width mode
    page.locator("#cases").select_option(str(case.id))
    page.get_by_test_id("record-order").click()
    page.wait_for_load_state()
    assert page.get_by_text("（2026）琼9005财保12号").is_visible()

    page.get_by_role("link", name="登记反担保").click()
    page.locator("#provider").fill("海南银行")
    page.locator("#kind").select_option("bank_letter")
    page.locator("#value").fill("300000")
    page.locator("#cases").select_option(str(case.id))
    page.locator("#valid_from").fill("2026-06-01")
    page.locator("#valid_until").fill("2027-12-31")
    page.get_by_test_id("record-guarantee").click()
    page.wait_for_load_state()

    page.get_by_role("link", name="审查", exact=True).click()
    page.locator("#decision-0").check()
    page.locator("#reason").fill("银行保函，足额有效")
    page.get_by_test_id("record-review").click()
    page.wait_for_load_state()
    assert page.get_by_text("银行保函，足额有效").is_visible()
    if os.environ.get("UPDATE_SCREENSHOTS"):
        page.screenshot(path=str(SCREENSHOT), full_page=True)

    page.get_by_role("link", name="解封计划").first.click()
    page.wait_for_load_state()
    stages = page.get_by_test_id("stage")
    assert stages.count() == 1
    # 800,000 frozen + 300,000 guaranteed for a 600,000 claim: 500,000 of the account can go.
    assert "500,000" in stages.first.inner_text()
