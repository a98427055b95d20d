"""/account/notifications: a user chooses e-mail and SMS besides the inbox; the change is
confirmed by a notice; nobody can change another's choice (no id in the URL: one's own)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Notice, NoticePreference
from tests.web.helpers import csrf_token, login

PATH = "/account/notifications"


def checked(page: str, name: str) -> bool:
    [tag] = re.findall(rf'<input[^>]*name="{name}"[^>]*>', page)
    return " checked" in tag


def test_a_homeowner_turns_sms_off_and_the_inbox_confirms_it(app, client, make):
    owner = make.user("homeowner", phone="13800138000")
    neighbour = make.user("homeowner", phone="13900139000")
    login(client, owner.username)
    page = client.get(PATH).get_data(as_text=True)
    assert "通知设置" in page and 'data-testid="no-email"' in page  # no address: said so
    assert checked(page, "sms") and checked(page, "email")
    response = client.post(PATH, data={"csrf_token": csrf_token(client, PATH), "email": "y"})
    assert response.status_code == 303 and response.headers["Location"].endswith(PATH)
    page = client.get(PATH).get_data(as_text=True)
    assert "通知设置已保存" in page
    assert not checked(page, "sms") and checked(page, "email")
    with app.app_context():
        assert (db.session.get(NoticePreference, owner.id).sms,
                db.session.get(NoticePreference, neighbour.id)) == (False, None)
        notices = db.session.scalars(select(Notice).where(Notice.user_id == owner.id)).all()
        assert sorted(n.channel for n in notices) == ["inbox", "sms"]
    inbox = client.get("/notices").get_data(as_text=True)
    assert "通知方式已更改：关闭短信" in inbox and f'href="{PATH}"' in inbox


def test_a_form_without_its_csrf_token_saves_nothing(app, client, make):
    owner = make.user("homeowner", phone="13800138000")
    login(client, owner.username)
    response = client.post(PATH, data={"email": "y"})
    assert response.status_code == 400  # refused by the app-wide CSRF check
    with app.app_context():
        assert db.session.get(NoticePreference, owner.id) is None
        assert db.session.scalars(select(Notice)).all() == []


@pytest.mark.parametrize("path", ["/homeowner/", "/homeowner/cases", "/notices", PATH,
                                  "/account/password"])
def test_the_unread_badge_shows_on_every_page_of_a_party(app, client, make, path):
    from app.models import User
    from app.notify.outbox import queue_notice
    from tests.factories import NOW

    owner = make.user("homeowner")
    with app.app_context():
        queue_notice(user=db.session.get(User, owner.id), kind="complaint_accepted",
                     subject="投诉已受理", body="已立案", dedupe_key="badge", now=NOW)
        db.session.commit()
    login(client, owner.username)
    html = client.get(path).get_data(as_text=True)
    assert re.search(r'data-testid="unread-count"><span aria-hidden="true">1<', html), path
