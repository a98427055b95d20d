"""Prevention end to end in chromium: the judge (desktop) sends an inquiry from the project
page; the developer's staff, on a phone, answer it with a file; the judge reviews it
(rectify by a date); the night's evaluation raises the project and the staff, on the phone
again, sign the warning notice and answer it with a plan and a dated commitment; the judge
sees the project on the risk page with the town map."""
from __future__ import annotations

from datetime import timedelta

from app.models.types import utcnow
from mediation.lifecycle import court_date
from tests.factories import PASSWORD

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _log_in(page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_load_state()


def test_inquiry_answer_review_warning_commitment_and_risk_page(page, phone, app, make, tmp_path):
    from app.extensions import db
    from app.services.early_warnings import evaluate_warnings
    from app.services.warning_notices import issue_notice_documents

    project = make.project(name="椰林湾二期")  # 90 of 100 units undelivered long after the promised day
    make.user("judge", username="prevent_judge", court=project.court)
    make.user("developer", username="prevent_staff", developer=project.developer, name="李联络")
    today = court_date(utcnow())
    page.set_viewport_size({"width": 1280, "height": 900})

    # The judge sends an inquiry from the project page (desktop).
    _log_in(page, "prevent_judge")
    page.goto(f"/prevention/projects/{project.id}")
    page.locator(f'a[href="/prevention/projects/{project.id}/inquiries/new"]').click()
    page.locator("#letter_type").select_option("presale_funds")
    page.locator("#working_days").fill("5")
    page.locator("#questions").fill("请提供预售资金监管账户余额。\n拨付是否与工程节点一致？")
    page.get_by_role("button", name="发出函询").click()
    page.wait_for_load_state()
    assert "/prevention/inquiries/" in page.url
    inquiry_path = page.url.split(page.url.split("/prevention/")[0], 1)[1]
    assert page.get_by_test_id("letter").is_visible()
    assert page.get_by_text("请提供预售资金监管账户余额。").first.is_visible()

    # The developer's staff answer on a phone, each question, one with a file.
    upload = tmp_path / "监管账户流水.pdf"
    upload.write_bytes(PDF)
    _log_in(phone, "prevent_staff")
    phone.goto("/prevention/inquiries")
    phone.locator(f'a[href="{inquiry_path}"]').first.click()
    phone.locator("#answer_1").fill("余额人民币5,000万元，流水见附件。")
    phone.locator("#answer_2").fill("一致，按主体结构封顶节点拨付。")
    phone.locator("#files_1").set_input_files(str(upload))
    phone.locator("form[action$='/answer'] button[type=submit]").click()
    phone.wait_for_load_state()
    assert phone.get_by_test_id("answer-1").inner_text().startswith("余额人民币5,000万元")
    assert phone.get_by_role("link", name="监管账户流水.pdf").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1  # no sideways scrolling

    # The judge reviews each answer: the second is to be rectified within a month.
    page.goto(inquiry_path)
    with page.expect_download() as download:
        page.get_by_role("link", name="监管账户流水.pdf").click()
    assert download.value.path().read_bytes() == PDF
    page.locator("#review_1").select_option("compliant")
    page.locator("#reason_1").fill("余额与银行流水相符。")
    page.locator("#review_2").select_option("rectify")
    page.locator("#reason_2").fill("拨付凭证不全。")
    page.locator("#rectify_by").fill((today + timedelta(days=30)).isoformat())
    page.locator("form[action$='/review'] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("review-2").inner_text().endswith("拨付凭证不全。")

    # The night's evaluation (flask warnings evaluate) raises the project: a notice to the staff.
    with app.app_context():
        evaluate_warnings(now=utcnow())
        issue_notice_documents(now=utcnow())
        db.session.remove()

    phone.goto("/prevention/warnings")  # still signed in on the phone
    phone.locator('a[href^="/prevention/warnings/"]').first.click()
    warning_path = phone.url.split("/prevention/", 1)[1]
    assert phone.get_by_text("已逾期").first.is_visible()
    phone.locator("form[action$='/acknowledge'] button[type=submit]").click()
    phone.wait_for_load_state()
    assert phone.get_by_test_id("acknowledged").inner_text() != "—"
    phone.locator("#plan").fill("增加施工班组，分批交付剩余90套。")
    phone.locator("#commitments-0-text").fill("完成剩余90套竣工验收")
    phone.locator("#commitments-0-due_on").fill((today + timedelta(days=60)).isoformat())
    phone.locator("form[action$='/answer'] button[type=submit]").click()
    phone.wait_for_load_state()
    assert phone.get_by_test_id("plan").inner_text() == "增加施工班组，分批交付剩余90套。"
    assert "完成剩余90套竣工验收" in phone.get_by_test_id("commitments").inner_text()

    # The judge sees the answer and the project on the risk page, the towns' map drawn.
    page.goto(f"/prevention/{warning_path}")
    assert "完成剩余90套竣工验收" in page.get_by_test_id("commitments").inner_text()
    page.goto("/prevention/risk")
    assert page.get_by_test_id("town-map").is_visible()
    assert page.locator("[data-testid=town-map] [data-level=red]").count() >= 1
    assert page.get_by_test_id("map-note").is_visible()
    assert page.get_by_role("link", name="椰林湾二期").first.is_visible()
