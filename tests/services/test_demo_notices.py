"""The demo's notice channels: the demo developer account has turned SMS off."""
from __future__ import annotations

from app.extensions import db
from app.models import NoticePreference
from app.demo_notices import build_notice_channels
from tests.factories import NOW


def test_the_demo_developer_reads_notices_without_sms(app, make):
    developer = make.user("developer", "developer")
    said = []
    with app.app_context():
        build_notice_channels(now=NOW, echo=said.append)
        db.session.commit()
        preference = db.session.get(NoticePreference, developer.id)
        assert (preference.email, preference.sms) == (True, False)
    assert said == ["  通知方式：developer 已关闭短信通知"]
