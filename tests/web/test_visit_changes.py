"""Moving and cancelling a visit in the browser: the visit's mediator or the court's judge;
a clash is shown next to the field; the week and the court's list mark a cancelled visit;
someone else's visit is a 404."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Visit
from tests.web.helpers import csrf_token, get_page, login, logout
from tests.web.test_onsite import court_world  # noqa: F401  (the fixture)


def _book(client, case, day="2030-12-09", starts="09:00", ends="11:00", room="售楼部会议室"):
    data = {"csrf_token": csrf_token(client, "/mediator/visits"), "case_ids": [str(case.id)], "room": room,
            "day": day, "starts": starts, "ends": ends}
    assert client.post("/mediator/visits", data=data).status_code == 303


def test_the_mediator_moves_then_the_judge_cancels_a_visit(app, client, make, court_world):
    w = court_world
    case = make.case(project=w.project, status="assigned", mediator=w.wang.mediator, claimant=w.owner.person)
    other = make.case(project=w.project, status="assigned", mediator=w.wang.mediator)
    login(client, w.wang.username)
    _book(client, case)
    _book(client, other, starts="14:00", ends="15:00")
    with app.app_context():
        visit_id, other_id = db.session.scalars(select(Visit.id).order_by(Visit.id)).all()
    page = f"/visits/{visit_id}"
    response, html = get_page(client, page)
    assert response.status_code == 200 and 'data-testid="move-form"' in html
    token = csrf_token(client, page)
    clash = client.post(f"{page}/move", data={"csrf_token": token, "room": "物业会议室", "day": "2030-12-09",
                                               "starts": "14:30", "ends": "15:30"})
    text = clash.get_data(as_text=True)
    assert clash.status_code == 422 and 'id="starts-error"' in text and "已有上门调解" in text
    moved = client.post(f"{page}/move", data={"csrf_token": token, "room": "物业会议室", "day": "2030-12-10",
                                               "starts": "10:00", "ends": "11:00"})
    assert moved.status_code == 303
    _, html = get_page(client, "/mediator/visits", week="2030-12-09")
    assert 'data-testid="day-2030-12-10"' in html and "物业会议室" in html
    logout(client)

    login(client, w.judge.username)
    token = csrf_token(client, page)
    empty = client.post(f"{page}/cancel", data={"csrf_token": token, "reason": ""})
    assert empty.status_code == 422 and 'id="reason-error"' in empty.get_data(as_text=True)
    assert client.post(f"{page}/cancel", data={"csrf_token": token, "reason": "开发企业停电"}).status_code == 303
    _, html = get_page(client, "/court/visits", project_id=w.project.id)
    assert f'data-testid="cancelled-{visit_id}"' in html and "开发企业停电" in html
    assert f'data-testid="change-visit-{other_id}"' in html
    logout(client)

    login(client, w.wang.username)
    _, html = get_page(client, "/mediator/visits", week="2030-12-09")
    assert 'data-status="cancelled"' in html and f'data-testid="change-visit-{visit_id}"' not in html


def test_someone_elses_visit_is_not_found(app, client, make, court_world):
    w = court_world
    case = make.case(project=w.project, status="assigned", mediator=w.wang.mediator)
    login(client, w.wang.username)
    _book(client, case)
    logout(client)
    with app.app_context():
        visit_id = db.session.scalar(select(Visit.id))
    for who in (w.owner, w.clerk, make.user("judge"), make.user("mediator", court=w.project.court)):
        login(client, who.username)
        token = csrf_token(client, "/notices")
        assert client.get(f"/visits/{visit_id}").status_code == 404
        assert client.post(f"/visits/{visit_id}/cancel", data={"csrf_token": token, "reason": "x"}).status_code == 404
        logout(client)
    with app.app_context():
        assert db.session.get(Visit, visit_id).status == "planned"
