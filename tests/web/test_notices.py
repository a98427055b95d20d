"""The inbox page and the navigation badge, from every side."""
from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from app.extensions import db
from app.models import Notice, User
from app.notify.outbox import queue_notice
from tests.factories import NOW
from tests.web.helpers import csrf_token, login

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def notify(app, user, subject: str, *, minutes: int = 0, case=None, complaint=None,
           body: str = "正文") -> int:
    """Queue one inbox notice to ``user`` as a use-case would; returns its id."""
    with app.app_context():
        queue_notice(user=db.session.get(User, user.id), kind="complaint_accepted",
                     subject=subject, body=body, dedupe_key=f"web:{subject}:{user.id}",
                     now=NOW + timedelta(minutes=minutes),
                     case_id=case.id if case else None,
                     complaint_id=complaint.id if complaint else None)
        db.session.commit()
        return db.session.scalar(select(Notice.id).where(Notice.subject == subject,
                                                         Notice.user_id == user.id))


def read_at(app, notice_id):
    with app.app_context():
        return db.session.get(Notice, notice_id).read_at


@contextmanager
def statements(app):
    """Collect the SQL the app runs meanwhile."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_the_inbox_shows_ones_own_notices_newest_first_in_court_time(app, client, make):
    """Does a homeowner see their notices — and never a neighbour's?"""
    owner, neighbour = make.user("homeowner"), make.user("homeowner")
    notify(app, owner, "投诉已受理：（2026）琼9005民诉前调1号", minutes=0)
    notify(app, owner, "案件（2026）琼9005民诉前调1号已分派调解员陈调解", minutes=30)
    notify(app, neighbour, "投诉未予受理：TS0000000999")
    login(client, owner.username)
    response = client.get("/notices")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.index("已分派调解员陈调解") < html.index("投诉已受理")
    assert "TS0000000999" not in html
    assert "2026-11-27 10:00" in html and "2026-11-27 10:30" in html  # 02:00 UTC = 10:00 Shanghai
    assert "2条未读" in html


def test_notices_link_to_the_case_or_to_the_readers_own_complaint_page(app, client, make):
    owner = make.user("homeowner")
    case = make.case(claimant=owner.person)
    complaint = make.complaint(person=owner.person)
    with_case = notify(app, owner, "投诉已受理", case=case)
    rejected = notify(app, owner, "投诉未予受理", complaint=complaint)
    login(client, owner.username)
    html = client.get("/notices").get_data(as_text=True)
    assert f'href="/cases/{case.id}" data-testid="notice-link-{with_case}"' in html
    assert (f'href="/homeowner/complaints/{complaint.id}" data-testid="notice-link-{rejected}"'
            in html)
    assert client.get(f"/cases/{case.id}").status_code == 200
    assert client.get(f"/homeowner/complaints/{complaint.id}").status_code == 200


def test_a_notice_body_is_shown_as_text_never_as_html(app, client, make):
    owner = make.user("homeowner")
    notify(app, owner, "投诉未予受理", body=f"理由：{HOSTILE}")
    login(client, owner.username)
    html = client.get("/notices").get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_marking_one_notice_read_clears_it_and_the_badge(app, client, make):
    owner = make.user("homeowner")
    first = notify(app, owner, "第一条")
    notify(app, owner, "第二条", minutes=1)
    login(client, owner.username)
    home = client.get("/homeowner/").get_data(as_text=True)
    assert re.search(r'data-testid="unread-count"><span aria-hidden="true">2<', home)
    token = csrf_token(client, "/notices")
    response = client.post(f"/notices/{first}/read", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/notices"
    assert read_at(app, first) is not None
    home = client.get("/homeowner/").get_data(as_text=True)
    assert re.search(r'data-testid="unread-count"><span aria-hidden="true">1<', home)
    when = read_at(app, first)
    client.post(f"/notices/{first}/read", data={"csrf_token": token})  # again: first time kept
    assert read_at(app, first) == when


def test_marking_all_read_touches_only_ones_own_notices(app, client, make):
    owner, neighbour = make.user("homeowner"), make.user("homeowner")
    mine = [notify(app, owner, f"我的{i}", minutes=i) for i in range(3)]
    theirs = notify(app, neighbour, "邻居的")
    login(client, owner.username)
    token = csrf_token(client, "/notices")
    response = client.post("/notices/read-all", data={"csrf_token": token})
    assert response.status_code == 303
    assert all(read_at(app, n) is not None for n in mine)
    assert read_at(app, theirs) is None
    html = client.get("/notices").get_data(as_text=True)
    assert "已将3条通知标为已读" in html and 'data-testid="unread-count"' not in html


def test_another_homeowner_cannot_mark_or_see_someone_elses_notice(app, client, make):
    """Can a homeowner touch a neighbour's notice by guessing its id? 404, and nothing changes."""
    owner, neighbour = make.user("homeowner"), make.user("homeowner")
    theirs = notify(app, neighbour, "邻居的通知")
    login(client, owner.username)
    token = csrf_token(client, "/notices")
    assert client.post(f"/notices/{theirs}/read", data={"csrf_token": token}).status_code == 404
    assert client.post("/notices/999999/read", data={"csrf_token": token}).status_code == 404
    assert read_at(app, theirs) is None
    assert "邻居的通知" not in client.get("/notices").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/notices/{id}/read", "/notices/read-all"])
def test_marking_read_needs_the_csrf_token(app, client, make, path):
    owner = make.user("homeowner")
    notice_id = notify(app, owner, "一条通知")
    login(client, owner.username)
    response = client.post(path.format(id=notice_id), data={})
    assert response.status_code == 400
    assert read_at(app, notice_id) is None


def test_the_inbox_needs_a_login(client):
    response = client.get("/notices")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.post("/notices/read-all").status_code in (302, 400)


@pytest.mark.parametrize("role, home", [("homeowner", "/homeowner/"), ("developer", "/developer/"),
                                        ("mediator", "/mediator/")])
def test_the_parties_and_mediators_see_the_badge_with_one_indexed_count(app, client, make, role, home):
    """One query on notices per page, and only the count."""
    user = make.user(role)
    for i in range(3):
        notify(app, user, f"通知{i}", minutes=i)
    login(client, user.username)
    with statements(app) as seen:
        html = client.get(home).get_data(as_text=True)
    assert re.search(r'data-testid="unread-count"><span aria-hidden="true">3<', html)
    assert 'href="/notices"' in html
    on_notices = [s for s in seen if re.search(r"\bnotices\b", s)]
    assert len(on_notices) == 1 and "count(" in on_notices[0].lower()


@pytest.mark.parametrize("path", ["/court/", "/court/cases"])
def test_the_judges_pages_carry_no_badge_and_no_notice_query(app, client, make, path):
    """The judge's case list is performance critical: the inbox is a plain link (judges get
    reminders there), no unread count, not one extra query."""
    judge = make.user("judge")
    notify(app, judge, "给法官的通知")
    login(client, judge.username)
    with statements(app) as seen:
        html = client.get(path).get_data(as_text=True)
    assert 'href="/notices"' in html and "unread-count" not in html
    assert not [s for s in seen if re.search(r"\bnotices\b", s)]


def test_a_homeowner_is_told_in_the_inbox_when_the_judge_accepts_from_triage(app, make):
    """End to end: the judge accepts on the triage page; the filer's badge and inbox show it."""
    court = make.court()
    project = make.project(court=court, name="椰风海韵")
    judge = make.user("judge", court=court)
    owner = make.user("homeowner")
    complaint = make.complaint(project=project, person=owner.person)
    judge_client, owner_client = app.test_client(), app.test_client()
    login(judge_client, judge.username)
    token = csrf_token(judge_client, "/court/triage")
    response = judge_client.post(f"/court/complaints/{complaint.id}/accept",
                                 data={"csrf_token": token})
    assert response.status_code == 303
    login(owner_client, owner.username)
    home = owner_client.get("/homeowner/").get_data(as_text=True)
    assert re.search(r'data-testid="unread-count"><span aria-hidden="true">1<', home)
    inbox = owner_client.get("/notices").get_data(as_text=True)
    number = re.search(r"投诉已受理：(（2026）[^<\s]+号)", inbox).group(1)
    assert complaint.receipt_no in inbox and "椰风海韵" in inbox
    assert f'href="{response.headers["Location"]}"' in inbox
    assert number in owner_client.get(response.headers["Location"]).get_data(as_text=True)


def test_the_inbox_pages_back_through_older_notices(app, client, make):
    owner = make.user("homeowner")
    ids = [notify(app, owner, f"通知{i:02d}", minutes=i) for i in range(35)]
    login(client, owner.username)
    first = client.get("/notices").get_data(as_text=True)
    assert "通知34" in first and "通知05" in first and "通知04" not in first
    older = re.search(r'href="(/notices\?before=\d+)" data-testid="older"', first).group(1)
    second = client.get(older).get_data(as_text=True)
    assert "通知04" in second and "通知00" in second and "通知05" not in second
    assert 'data-testid="older"' not in second
    assert len(ids) == 35
