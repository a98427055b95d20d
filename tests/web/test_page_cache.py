"""Cached case lists: served again only to the same person, for the same data, on the same
court day, always with the session's own CSRF token."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.models import Project
from tests.factories import NOW
from tests.web.helpers import case_ids, get_page, login

HEADER = "X-Page-Cache"


def _get(client, path="/court/cases", **params):
    return get_page(client, path, **params)


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def court(app, make):
    court = make.court()
    project = make.project(court=court, name="椰风海韵")
    judge = make.user("judge", court=court, name="法官甲")
    other_judge = make.user("judge", court=court, name="法官乙")
    owner, neighbour = make.person(name="王海燕"), make.person(name="陈立")
    cases = [make.case(project=project, claimant=owner), make.case(project=project, claimant=neighbour)]
    mediator = make.user("mediator", court=court)
    return dict(court=court, project=project, judge=judge, other_judge=other_judge, owner=owner,
                neighbour=neighbour, cases=cases, mediator=mediator)


def test_a_repeated_list_is_served_from_the_cache_with_this_sessions_own_token(client, court):
    """The second request is a hit, and the bulk form's CSRF token on it still works."""
    login(client, court["judge"].username)
    first, html = _get(client)
    assert first.status_code == 200 and first.headers[HEADER] == "miss"
    again, cached = _get(client)
    assert again.headers[HEADER] == "hit"
    assert case_ids(cached) == case_ids(html) and len(case_ids(cached)) == 2
    assert len(set(re.findall(r'name="csrf_token" value="([^"]+)"', cached))) == 1
    response = client.post("/court/cases/bulk", data={
        "csrf_token": _csrf(cached), "action": "assign",
        "mediator_id": court["mediator"].mediator.id, "case_id": [court["cases"][0].id]})
    assert response.status_code == 200
    assert 'data-testid="confirm-list"' in response.get_data(as_text=True)


def test_another_session_of_the_same_judge_gets_its_own_token(app, court):
    first, second = app.test_client(), app.test_client()
    login(first, court["judge"].username)
    login(second, court["judge"].username)
    _, page_one = _get(first)
    response, page_two = _get(second)
    assert response.headers[HEADER] == "hit"
    response = second.post("/court/cases/bulk", data={
        "csrf_token": _csrf(page_one), "action": "assign",
        "mediator_id": court["mediator"].mediator.id, "case_id": [court["cases"][0].id]})
    assert response.status_code == 400  # the first session's token is not the second's
    response = second.post("/court/cases/bulk", data={
        "csrf_token": _csrf(page_two), "action": "assign",
        "mediator_id": court["mediator"].mediator.id, "case_id": [court["cases"][0].id]})
    assert response.status_code == 200


def test_a_committed_change_shows_on_the_very_next_request(app, client, court):
    """Renaming the project (a table the list reads): no stale page."""
    from app.extensions import db

    login(client, court["judge"].username)
    _get(client)
    assert _get(client)[0].headers[HEADER] == "hit"
    with app.app_context():
        db.session.get(Project, court["project"].id).name = "航天花园"
        db.session.commit()
        db.session.remove()
    response, html = _get(client)
    assert response.headers[HEADER] == "miss"
    assert "航天花园" in html and "椰风海韵" not in html


def test_a_case_registered_by_a_use_case_shows_at_once(app, client, make, court):
    from app.extensions import db
    from app.models import User
    from app.services.triage import accept_complaint

    login(client, court["judge"].username)
    _get(client)
    complaint = make.complaint(project=court["project"])
    _get(client)  # the new complaint is not a case yet
    with app.app_context():
        case = accept_complaint(complaint.id, actor=db.session.get(User, court["judge"].id), now=NOW)
        case_id = case.id
        db.session.remove()
    _, html = _get(client)
    assert case_id in case_ids(html)


def test_another_judge_never_gets_this_judges_page(app, make, court):
    """Same court, same URL: the page is rendered for them (their name in the menu)."""
    mine, theirs = app.test_client(), app.test_client()
    login(mine, court["judge"].username)
    login(theirs, court["other_judge"].username)
    _get(mine)
    response, html = _get(theirs)
    assert response.headers[HEADER] == "miss"
    assert "法官乙" in html and "法官甲" not in html
    elsewhere = make.user("judge", court=make.court(), name="法官丙")
    other_court = app.test_client()
    login(other_court, elsewhere.username)
    response, html = _get(other_court)
    assert response.headers[HEADER] == "miss" and case_ids(html) == []


def test_a_homeowner_never_gets_a_neighbours_cached_list(app, make, court):
    mine, theirs = app.test_client(), app.test_client()
    login(mine, make.user("homeowner", person=court["owner"]).username)
    login(theirs, make.user("homeowner", person=court["neighbour"]).username)
    _get(mine, "/homeowner/cases")
    _, own = _get(mine, "/homeowner/cases")
    response, html = _get(theirs, "/homeowner/cases")
    assert case_ids(own) == [court["cases"][0].id]
    assert response.headers[HEADER] == "miss" and case_ids(html) == [court["cases"][1].id]


def test_after_logout_the_cached_list_is_not_served(client, court):
    from tests.web.helpers import logout

    login(client, court["judge"].username)
    _get(client)
    logout(client)
    response, _ = _get(client)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_page_with_a_flash_message_is_rendered_afresh_and_not_kept(client, court):
    login(client, court["judge"].username)
    _get(client)
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "已分配调解员")]
    response, html = _get(client)
    assert HEADER not in response.headers and "已分配调解员" in html
    response, html = _get(client)
    assert response.headers[HEADER] == "hit" and "已分配调解员" not in html


def test_a_new_court_day_renders_the_list_again(client, court, monkeypatch):
    """Deadline marks (overdue, due within 3 days) change at midnight court time."""
    import app.web.page_cache as page_cache

    login(client, court["judge"].username)
    _get(client)
    assert _get(client)[0].headers[HEADER] == "hit"
    tomorrow = page_cache.utcnow() + timedelta(days=1)
    monkeypatch.setattr(page_cache, "utcnow", lambda: tomorrow)
    assert _get(client)[0].headers[HEADER] == "miss"


def test_an_invalid_filter_is_never_cached(client, court):
    login(client, court["judge"].username)
    for _ in range(2):
        response, html = _get(client, dispute_type="bogus")
        assert response.status_code == 400 and HEADER not in response.headers
        assert 'name="csrf_token" value="' in html


def test_with_the_page_cache_off_every_request_renders(database_url, court, tmp_path):
    from app import create_app
    from app.config import Settings

    settings = Settings.from_env({"SECRET_KEY": "x" * 40, "DATABASE_URL": database_url,
                                  "PAGE_CACHE": "off", "UPLOAD_DIR": str(tmp_path)})
    client = create_app(settings, TESTING=True).test_client()
    login(client, court["judge"].username)
    for _ in range(2):
        response, html = _get(client)
        assert response.headers[HEADER] == "miss" and len(case_ids(html)) == 2


def test_the_page_cache_setting_is_checked():
    from app.config import ConfigError, Settings

    with pytest.raises(ConfigError, match="PAGE_CACHE"):
        Settings.from_env({"PAGE_CACHE": "memcached://x"}).flask_config()
    redis = Settings.from_env({"PAGE_CACHE": "redis://127.0.0.1:6379/15"}).flask_config()
    assert redis["CACHE_TYPE"] == "RedisCache"
    assert redis["CACHE_REDIS_URL"] == "redis://127.0.0.1:6379/15"


def test_pages_can_be_shared_through_redis(database_url, court, tmp_path):
    """Two app processes (here: two apps) share one Redis: the second gets a hit."""
    import redis

    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis server at {url}: the shared page cache is not tested here")
    from app import create_app
    from app.config import Settings

    settings = Settings.from_env({"SECRET_KEY": "x" * 40, "DATABASE_URL": database_url,
                                  "PAGE_CACHE": url, "UPLOAD_DIR": str(tmp_path)})
    one, two = (create_app(settings, TESTING=True).test_client() for _ in range(2))
    login(one, court["judge"].username)
    login(two, court["judge"].username)
    assert _get(one)[0].headers[HEADER] in ("miss", "hit")
    response, html = _get(two)
    assert response.headers[HEADER] == "hit" and len(case_ids(html)) == 2


def test_the_unread_badge_on_a_cached_list_follows_the_inbox(app, client, make, court):
    """The menu of a party's list counts unread notices: a new notice shows at once."""
    from app.extensions import db
    from app.models import User
    from app.notify.outbox import queue_notice

    homeowner = make.user("homeowner", person=court["owner"])
    login(client, homeowner.username)
    _get(client, "/homeowner/cases")
    response, html = _get(client, "/homeowner/cases")
    assert response.headers[HEADER] == "hit" and 'data-testid="unread-count"' not in html
    with app.app_context():
        queue_notice(user=db.session.get(User, homeowner.id), kind="complaint_accepted",
                     subject="投诉已受理", body="已立案", dedupe_key="test:badge", now=NOW)
        db.session.commit()
        db.session.remove()
    response, html = _get(client, "/homeowner/cases")
    assert response.headers[HEADER] == "miss" and 'data-testid="unread-count"' in html
