"""Doors that open, end to end: a new homeowner registers on a phone with the code the SMS
gateway carried (read from the logging backend, never from the page) and files a
complaint; the clerk creates a mediator from the web, who then logs in."""
from __future__ import annotations

import re

from mediation.identifiers import make_resident_id
from tests.factories import PASSWORD

PHONE = "13976001234"


def test_a_new_homeowner_registers_and_files_and_the_clerk_creates_a_mediator(
        app, phone, page, make):
    project = make.project(name="椰林湾")
    court = project.court
    make.user("admin", username="clerk", court=court)

    # A homeowner nobody created registers on a phone.
    phone.goto("/login")
    phone.get_by_test_id("register").click()
    phone.get_by_label("姓名").fill("符美玲")
    phone.get_by_label("身份证号").fill(make_resident_id("46900519900315002"))
    phone.get_by_label("手机号").fill(PHONE)
    phone.get_by_test_id("send-code").click()
    phone.wait_for_load_state()
    assert "139****1234" in phone.content()  # where the code went, masked
    text = app.extensions["sms"].last_to(PHONE)
    code = re.search(r"\d{6}", text).group(0)
    assert code not in phone.content()  # the code came by SMS, not on the page
    phone.get_by_label("短信验证码").fill(code)
    phone.get_by_label("密码", exact=True).fill("Meiling2026")
    phone.get_by_label("再次输入密码").fill("Meiling2026")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.get_by_label("再次输入密码").press("Enter")  # Enter registers; it does not resend
    phone.wait_for_url("**/homeowner/")
    assert "符美玲" in phone.get_by_test_id("who").inner_text()

    # …and files a complaint at once.
    phone.get_by_test_id("file-complaint").click()
    phone.get_by_label("项目", exact=True).select_option(str(project.id))
    phone.get_by_label("房号（楼栋及房间）").fill("2栋302")
    phone.get_by_label("纠纷类型").select_option("quality")
    phone.get_by_label("请求1：请求事项").fill("维修费用")
    phone.get_by_label("请求1：金额（元）").fill("12000")
    phone.get_by_label("事实与理由").fill("交房后外墙渗水，多次报修未处理。")
    phone.get_by_test_id("file-submit").click()
    receipt = phone.get_by_test_id("receipt-no").inner_text().strip()
    assert re.fullmatch(r"TS\d{8}-[0-9A-Z]{6}", receipt)

    # The clerk creates a mediator from the web.
    page.goto("/login")
    page.get_by_label("用户名").fill("clerk")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/admin/")
    page.get_by_test_id("nav-list_users").click()
    page.get_by_test_id("new-user").click()
    page.get_by_label("角色").select_option("mediator")
    page.get_by_label("用户名").fill("mediator.fu")
    page.get_by_label("姓名").fill("符调解")
    page.get_by_label("电话").fill("13876005678")
    page.get_by_label("法院").select_option(str(court.id))
    page.get_by_label("调解员类别").select_option("invited")
    page.get_by_label("房屋质量").check()
    page.get_by_label("初始密码").fill("Mediate2026")
    page.get_by_label("再次输入密码").fill("Mediate2026")
    page.get_by_test_id("create-user-submit").click()
    page.wait_for_url(re.compile(r"/admin/users/\d+$"))
    assert "符调解" in page.get_by_test_id("page-title").inner_text()

    # The new mediator logs in (the clerk logs out first: one browser, one person).
    page.get_by_test_id("logout").click()
    page.wait_for_url("**/login")
    page.get_by_label("用户名").fill("mediator.fu")
    page.get_by_label("密码").fill("Mediate2026")
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/mediator/")
    assert "符调解" in page.get_by_test_id("who").inner_text()
