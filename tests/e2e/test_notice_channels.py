"""A homeowner on a phone turns text messages off, and the inbox confirms it (chromium)."""
from __future__ import annotations

from tests.factories import PASSWORD


def test_a_homeowner_turns_sms_off_from_the_inbox_and_reads_the_confirmation(phone, make, app):
    from app.extensions import db
    from app.models import NoticePreference

    owner = make.user("homeowner", username="homeowner_sms", phone="13800138000")
    phone.goto("/login")
    phone.get_by_label("用户名").fill("homeowner_sms")
    phone.get_by_label("密码").fill(PASSWORD)
    phone.get_by_test_id("login-submit").click()
    phone.wait_for_load_state()
    phone.get_by_test_id("nav-list_notices").click()
    phone.get_by_test_id("notice-settings").click()
    sms = phone.get_by_label("短信通知")
    assert sms.is_checked() and phone.get_by_label("电子邮件通知").is_checked()
    assert phone.get_by_test_id("no-email").is_visible()  # no address: said so
    sms.uncheck()
    phone.get_by_test_id("save-channels").click()
    phone.wait_for_load_state()
    assert "通知设置已保存" in phone.content()
    assert not phone.get_by_label("短信通知").is_checked()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert phone.get_by_test_id("unread-count").inner_text().startswith("1")
    phone.get_by_test_id("nav-list_notices").click()
    assert "通知方式已更改：关闭短信" in phone.content()
    with app.app_context():
        assert db.session.get(NoticePreference, owner.id).sms is False
