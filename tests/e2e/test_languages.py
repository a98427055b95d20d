"""A homeowner chooses English on the account page; the inbox then speaks English."""
from __future__ import annotations

from app.extensions import db
from app.models import User
from app.services import triage
from tests.factories import NOW, PASSWORD


def test_a_homeowner_chooses_english_and_reads_the_notice_in_english(app, page, make):
    court = make.court()
    project = make.project(court=court, name="椰风海韵")
    judge = make.user("judge", court=court)
    owner = make.user("homeowner", username="ann_e2e")
    complaint = make.complaint(project=project, person=owner.person)
    with app.app_context():
        number = triage.accept_complaint(complaint.id, actor=db.session.get(User, judge.id),
                                         now=NOW).number
    page.goto("/login")
    page.get_by_label("用户名").fill("ann_e2e")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/homeowner/")
    page.goto("/notices")
    assert f"投诉已受理：{number}" in page.content()
    page.get_by_test_id("account-language").click()
    page.wait_for_url("**/account/language")
    page.get_by_label("语言").select_option("en")
    page.get_by_test_id("save-language").click()
    page.wait_for_url("**/account/language")
    assert page.get_attribute("html", "lang") == "en"
    page.goto("/notices")
    body = page.content()
    assert f"Complaint accepted: {number}" in body and "投诉已受理" not in body
    with app.app_context():
        assert db.session.get(User, owner.id).locale == "en"
