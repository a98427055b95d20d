"""A notice reaches each recipient in their own language: the inbox copy, the e-mail (at
send time, from the recipient's User.locale) and the API — Chinese unless they chose English."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import CaseEvent, Notice, User
from app.notify.dispatch import deliver_pending
from app.notify.render import notice_text, recipient_locale
from app.services import accounts, triage
from tests.factories import NOW


def _accept_two_complaints(app, make):
    court = make.court()
    project = make.project(court=court, name="椰风海韵")
    judge = make.user("judge", court=court)
    english = make.user("homeowner", email="ann@example.com", locale="en")
    chinese = make.user("homeowner", email="wang@example.com")
    first = make.complaint(project=project, person=english.person)
    second = make.complaint(project=project, person=chinese.person)
    with app.app_context():
        actor = db.session.get(User, judge.id)
        cases = [triage.accept_complaint(c.id, actor=actor, now=NOW) for c in (first, second)]
        return english, chinese, [c.number for c in cases], [first.receipt_no, second.receipt_no]


def test_a_notice_keeps_both_languages_and_each_reader_gets_theirs(app, make):
    english, chinese, numbers, _ = _accept_two_complaints(app, make)
    with app.app_context():
        notice = db.session.scalar(select(Notice).where(
            Notice.user_id == english.id, Notice.kind == "complaint_accepted"))
        assert notice.subject == f"投诉已受理：{numbers[0]}"
        assert notice.subject_en == f"Complaint accepted: {numbers[0]}"
        shown = notice_text(notice, "en")
        assert shown.subject == f"Complaint accepted: {numbers[0]}"
        assert "was reviewed by the circuit court and accepted" in shown.body
        assert "椰风海韵" in shown.body  # names stay as they are written
        assert notice_text(notice, "zh").subject == f"投诉已受理：{numbers[0]}"
        assert notice_text(notice, None).body == notice.body


def test_a_notice_without_english_is_shown_as_written():
    class Old:  # a row stored before notices kept their English
        subject, body, subject_en, body_en = "旧通知", "正文", None, None

    assert notice_text(Old(), "en") == notice_text(Old(), "zh")
    assert notice_text(Old(), "en").subject == "旧通知"


def test_the_email_speaks_the_recipients_language_at_send_time(app, make, smtp_server):
    english, chinese, numbers, _ = _accept_two_complaints(app, make)
    with app.app_context():
        # Ann changes her mind after the notice was queued: the e-mail follows her choice now.
        accounts.set_locale(db.session.get(User, chinese.id), "en")
        accounts.set_locale(db.session.get(User, english.id), "zh")
        report = deliver_pending(now=NOW + timedelta(minutes=1))
    assert report.sent == 2
    by_address = {m[1][0]: m[2] for m in smtp_server.messages}
    assert by_address["wang@example.com"]["Subject"] == f"Complaint accepted: {numbers[1]}"
    assert "accepted as pre-litigation mediation case" in by_address["wang@example.com"].get_content()
    assert by_address["ann@example.com"]["Subject"] == f"投诉已受理：{numbers[0]}"
    assert "已予受理" in by_address["ann@example.com"].get_content()


def test_the_recipients_language_is_their_accounts_else_chinese(make, app):
    with app.app_context():
        assert recipient_locale(make.user("homeowner", locale="en")) == "en"
        assert recipient_locale(make.user("homeowner", locale="en_US")) == "en"
        assert recipient_locale(make.user("homeowner")) == "zh"
        assert recipient_locale(make.user("homeowner", locale="fr")) == "zh"


def test_a_timeline_entry_the_platform_writes_keeps_its_english(app, make):
    _, _, numbers, receipts = _accept_two_complaints(app, make)
    with app.app_context():
        event = db.session.scalar(select(CaseEvent).order_by(CaseEvent.id))
        assert event.reason == f"受理投诉{receipts[0]}"
        assert event.reason_en == f"Complaint {receipts[0]} accepted"


def test_an_unknown_language_is_refused_and_nothing_is_saved(app, make):
    import pytest

    from app.services.errors import ServiceError
    from mediation.messages import localize

    user = make.user("homeowner")
    with app.app_context():
        with pytest.raises(ServiceError) as refused:
            accounts.set_locale(db.session.get(User, user.id), "fr")
        assert localize(refused.value.raw_message, "en") == "Choose 简体中文 or English"
        assert db.session.get(User, user.id).locale is None


def test_a_reset_link_mail_speaks_the_accounts_language(app, make, smtp_server):
    from app.services import self_service

    make.user("developer", email="ann@example.com", locale="en")
    make.user("developer", email="li@example.com")
    with app.app_context():
        for address in ("ann@example.com", "li@example.com"):
            self_service.request_reset_link(address, now=NOW,
                                            link_for=lambda t: f"https://court.example/r/{t}")
    by_address = {m[1][0]: m[2] for m in smtp_server.messages}
    assert by_address["ann@example.com"]["Subject"] == "Reset your mediation platform password"
    assert "open this link within an hour" in by_address["ann@example.com"].get_content()
    assert by_address["li@example.com"]["Subject"] == "重置调解平台密码"
