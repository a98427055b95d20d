"""Each demo role logs in, sees its home page in Chinese, switches to English, logs out."""
from __future__ import annotations

import re

import pytest

from tests.factories import PASSWORD

ROLE_PAGES = {
    # role: (path, Chinese heading, English heading)
    "homeowner": ("/homeowner/", "我的投诉与案件", "My complaints and cases"),
    "developer": ("/developer/", "涉及本企业的案件", "Cases against us"),
    "mediator": ("/mediator/", "我承办的案件", "My assigned cases"),
    "judge": ("/court/", "法院案件总览", "Court caseload"),
    "admin": ("/admin/", "系统管理", "Administration"),
}


@pytest.mark.parametrize("role", list(ROLE_PAGES))
def test_role_logs_in_sees_chinese_switches_to_english_and_logs_out(page, make, role):
    path, heading_zh, heading_en = ROLE_PAGES[role]
    make.user(role, username=role)
    page.goto("/login")
    assert page.get_attribute("html", "lang") == "zh-CN"
    page.get_by_label("用户名").fill(role)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"**{path}")
    assert page.get_by_test_id("page-title").inner_text() == heading_zh
    page.get_by_test_id("lang-en").click()
    page.wait_for_url(f"**{path}")
    assert page.get_by_test_id("page-title").inner_text() == heading_en
    assert page.get_attribute("html", "lang") == "en"
    page.get_by_test_id("logout").click()
    page.wait_for_url("**/login")
    page.goto(path)
    page.wait_for_url(re.compile(r"/login\?next="))
    assert "Log in" in page.get_by_role("heading", level=1).inner_text()
