"""Evaluate now in chromium: the judge presses the button on a project page and sees its new
level and the time of the evaluation; pressing again changes nothing."""
from __future__ import annotations

import re

from tests.factories import PASSWORD


def test_a_judge_evaluates_a_project_now_in_the_browser(page, app, make):
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import RiskLevelChange, WarningNotice

    project = make.project(name="椰林湾三期")  # 90 of 100 units undelivered long after the promised day
    make.user("judge", username="evaluate_judge", court=project.court)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/login")
    page.get_by_label("用户名").fill("evaluate_judge")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_load_state()
    page.goto(f"/prevention/projects/{project.id}")
    assert page.get_by_test_id("evaluated-at").inner_text().endswith("—")
    page.get_by_test_id("evaluate-now").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/prevention/projects/{project.id}")
    assert page.get_by_test_id("level").inner_text().startswith("红")
    assert "评估完成" in page.locator(".flash-success").inner_text()
    assert re.fullmatch(r"最近评估时间[:：]\s*\d{4}-\d{2}-\d{2} \d{2}:\d{2}",
                        page.get_by_test_id("evaluated-at").inner_text().strip())
    page.get_by_test_id("evaluate-now").click()
    page.wait_for_load_state()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RiskLevelChange).where(
            RiskLevelChange.project_id == project.id)) == 1
        assert db.session.scalar(select(func.count()).select_from(WarningNotice).where(
            WarningNotice.project_id == project.id)) == 1
