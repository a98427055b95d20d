"""A judge sees a developer's release plan with its graph, keeps it, and approves its first stage."""
from __future__ import annotations

import re

from tests.services.test_release import frozen_developer, judge_of_the_cases  # noqa: F401  (the fixture)
from tests.services.test_release import NOW
from tests.web.helpers import csrf_token, get_page, login


def test_a_judge_keeps_the_plan_and_approves_its_first_stage(app, client, make, frozen_developer):  # noqa: F811
    judge = judge_of_the_cases(app, make, frozen_developer)
    login(client, judge.username)
    path = f"/court/developers/{frozen_developer['developer']}/release"
    response, html = get_page(client, path)
    assert response.status_code == 200
    assert html.count('data-testid="stage"') == 2
    assert "<svg" in html and "<script" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    token = csrf_token(client, path)
    assert client.post(path, data={"csrf_token": token}).status_code == 302
    _, html = get_page(client, path)
    approve = re.search(r'action="(/court/release-plans/\d+/stages/1/approve)"', html).group(1)
    assert client.post(approve, data={"csrf_token": token}).status_code == 302
    _, html = get_page(client, path)
    assert "/stages/1/approve" not in html and "/stages/2/approve" in html


def test_the_release_page_is_for_judges_only(client, make, frozen_developer):  # noqa: F811
    login(client, make.user("developer").username)
    response = client.get(f"/court/developers/{frozen_developer['developer']}/release")
    assert response.status_code == 403


def test_a_judge_of_another_court_gets_404_for_the_developer_its_plan_and_its_stages(
        app, client, make, frozen_developer):  # noqa: F811
    from app.services import release

    with app.app_context():
        plan_id = release.propose_plan(frozen_developer["developer"], actor_id=None, now=NOW).id
    login(client, make.user("judge").username)  # a court that holds no case against the developer
    path = f"/court/developers/{frozen_developer['developer']}/release"
    response = client.get(path)
    assert response.status_code == 404 and "基本户" not in response.get_data(as_text=True)
    token = csrf_token(client, "/account/password")
    assert client.post(path, data={"csrf_token": token}).status_code == 404
    approve = f"/court/release-plans/{plan_id}/stages/1/approve"
    assert client.post(approve, data={"csrf_token": token}).status_code == 404
    with app.app_context():
        assert [p.id for p in release.plans_of(frozen_developer["developer"])] == [plan_id]
        assert release.plans_of(frozen_developer["developer"])[0].stages[0].status == "proposed"


def test_a_developer_sees_its_own_freezes_and_what_to_perform_next_never_anothers(client, make, app,
                                                                                 frozen_developer):  # noqa: F811
    from app.extensions import db
    from app.models import Developer

    with app.app_context():
        own = db.session.get(Developer, frozen_developer["developer"])
    login(client, make.user("developer", developer=own).username)
    response, html = get_page(client, "/developer/release")
    assert response.status_code == 200
    upcoming = html.split('data-testid="next"', 1)[1].split("</ul>", 1)[0]
    assert "基本户" in html and "支付违约金" in upcoming and "退还购房款" not in upcoming  # the second waits for the first
    assert "退还购房款" in html  # listed among all its obligations (templates/developer/_release_records.html)
    client.get("/logout")
    stranger = make.user("developer")
    client2 = app.test_client()
    login(client2, stranger.username)
    _, other = get_page(client2, "/developer/release")
    assert "基本户" not in other and "支付违约金" not in other
