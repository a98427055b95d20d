"""Judges enter freezes, counter-guarantees, their review and obligations through the forms;
the plan page plans on them at once, the case timelines tell each change, the developer sees
its own records, and nobody else gets in (docs/release-in-the-app.md)."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import Case, CaseEvent, CounterGuarantee, FrozenAsset, Obligation, PreservationOrder
from app.models.release_files import CounterGuaranteeFile
from app.services import release
from tests.factories import NOW
from tests.web.helpers import csrf_token, get_page, login

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def court_world(app, make):
    """A judge's court holding two cases (60万元, 40万元) against one developer, and one case
    against another developer."""
    with app.app_context():
        judge = make.user("judge")
        project = make.project(court=judge.court)
        first, second = make.case(project=project), make.case(project=project)
        other = make.case(project=make.project(court=judge.court))
        for case, claim in ((first, 60_000_000), (second, 40_000_000), (other, 10_000_000)):
            db.session.execute(update(Case).where(Case.id == case.id).values(claim_total_fen=claim))
        db.session.commit()
        return {"judge": judge, "developer": project.developer_id, "cases": (first.id, second.id),
                "other_case": other.id, "other_developer": db.session.get(Case, other.id).developer_id,
                "court": judge.court}


def _judge(client, world):
    login(client, world["judge"].username)
    return csrf_token(client, "/account/password")


def _order(client, world, token, **overrides):
    data = {"csrf_token": token, "ruling_no": "(2026)琼9005财保12号", "ruled_on": "2026-06-01",
            "expires_on": "2027-06-01", "kind": "bank_account", "label": "基本户 4601", "value": "８０００００",
            "cases": [str(c) for c in world["cases"]]}
    data.update(overrides)
    return client.post(f"/court/developers/{world['developer']}/release/orders/new", data=data)


def _events(case_id: int, like: str) -> int:
    return db.session.scalar(select(func.count()).select_from(CaseEvent).where(
        CaseEvent.case_id == case_id, CaseEvent.reason.like(f"%{like}%")))


def _error_of(html: str, field: str) -> str:
    match = re.search(rf'id="{field}-error"[^>]*>([^<]*)<', html)
    return match.group(1) if match else ""


# --- Preservation orders and their assets ------------------------------------------------


def test_a_judge_records_an_order_with_its_first_asset_and_the_plan_sees_it(app, client, court_world):
    token = _judge(client, court_world)
    response, html = get_page(client, f"/court/developers/{court_world['developer']}/release/orders/new")
    assert response.status_code == 200 and 'name="ruling_no"' in html
    response = _order(client, court_world, token)
    assert response.status_code == 303, response.get_data(as_text=True)
    with app.app_context():
        order = db.session.scalars(select(PreservationOrder)).one()
        assert order.ruling_no == "（2026）琼9005财保12号"  # the court's style, full-width parentheses
        asset = order.assets[0]
        assert (asset.kind, asset.frozen_fen, asset.divisible) == ("bank_account", 80_000_000, True)
        assert [c.id for c in asset.cases] == list(court_world["cases"])
        assert all(_events(c, "基本户 4601") == 1 for c in court_world["cases"])
    _, html = get_page(client, f"/court/developers/{court_world['developer']}/release")
    assert f"A{asset.id}" in html  # the plan page plans on it at once (the graph names it)
    _, html = get_page(client, f"/court/developers/{court_world['developer']}/release/records")
    assert "（2026）琼9005财保12号" in html and "基本户 4601" in html
    _, html = get_page(client, f"/cases/{court_world['cases'][0]}")
    assert "依保全裁定冻结财产“基本户 4601”" in html  # on the case's timeline page


@pytest.mark.parametrize(("overrides", "field", "says"), [
    ({"ruling_no": "（2026）琼9005民初12号"}, "ruling_no", "财保"),
    ({"ruling_no": "琼9005财保12"}, "ruling_no", "格式不正确"),
    ({"expires_on": "2026-05-31"}, "expires_on", "不能早于"),
    ({"ruled_on": ""}, "ruled_on", "裁定日期"),
    ({"value": "12.345"}, "value", "两位小数"),
    ({"value": "0"}, "value", "大于零"),
    ({"kind": ""}, "kind", "类别"),
    ({"label": "  "}, "label", "财产名称"),
    ({"cases": []}, "cases", "案件"),
    ({"applicant_consented": "y"}, "applicant_consented", "争议房产"),
])
def test_each_mistake_in_an_order_is_shown_next_to_its_field_and_nothing_is_saved(
        app, client, court_world, overrides, field, says):
    token = _judge(client, court_world)
    response = _order(client, court_world, token, **overrides)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert says in _error_of(html, field), html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PreservationOrder)) == 0
        assert db.session.scalar(select(func.count()).select_from(FrozenAsset)) == 0
        assert db.session.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.reason.like("%冻结%"))) == 0


def test_an_order_names_only_this_developers_cases_in_the_judges_court_and_is_recorded_once(
        app, client, court_world):
    token = _judge(client, court_world)
    forged = _order(client, court_world, token, cases=[str(court_world["cases"][0]), str(court_world["other_case"])])
    assert forged.status_code == 422  # a forged choice of another developer's case
    assert _order(client, court_world, token).status_code == 303
    again = _order(client, court_world, token, ruling_no="（2026）琼9005财保12号")
    assert again.status_code == 422 and "已经登记" in _error_of(again.get_data(as_text=True), "ruling_no")


def _recorded_order(app, client, world, token) -> int:
    assert _order(client, world, token).status_code == 303
    with app.app_context():
        return db.session.scalars(select(PreservationOrder.id)).one()


def test_units_and_equity_are_whole_and_a_disputed_property_without_consent_is_never_released(
        app, client, court_world):
    token = _judge(client, court_world)
    order_id = _recorded_order(app, client, court_world, token)
    path = f"/court/preservation-orders/{order_id}/assets/new"
    assert client.get(path).status_code == 200
    response = client.post(path, data={"csrf_token": token, "kind": "unit", "label": "1栋101", "value": "500,000",
                                       "cases": [str(court_world["cases"][0])], "disputed": "y"})
    assert response.status_code == 303
    with app.app_context():
        unit = db.session.scalars(select(FrozenAsset).where(FrozenAsset.kind == "unit")).one()
        assert (unit.divisible, unit.release_allowed, unit.frozen_fen) == (False, False, 50_000_000)
        scenario = release.build_scenario(court_world["developer"])
        entry = next(a for a in scenario["assets"] if a["id"] == f"A{unit.id}")
        assert (entry["divisible"], entry["release_allowed"]) == (False, False)


def test_an_assets_value_never_goes_below_what_was_released_from_it(app, client, court_world):
    token = _judge(client, court_world)
    _recorded_order(app, client, court_world, token)
    with app.app_context():
        asset_id = db.session.scalars(select(FrozenAsset.id)).one()
        db.session.execute(update(FrozenAsset).where(FrozenAsset.id == asset_id).values(released_fen=30_000_000))
        db.session.commit()
    path = f"/court/frozen-assets/{asset_id}/edit"
    response, html = get_page(client, path)
    assert response.status_code == 200 and 'value="800000"' in html
    data = {"csrf_token": token, "label": "基本户 4601", "value": "200000", "cases": [str(court_world["cases"][0])]}
    response = client.post(path, data=data)
    assert response.status_code == 422 and "已解封" in _error_of(response.get_data(as_text=True), "value")
    response = client.post(path, data={**data, "value": "300000"})
    assert response.status_code == 303
    with app.app_context():
        asset = db.session.get(FrozenAsset, asset_id)
        assert (asset.frozen_fen, asset.remaining_fen, [c.id for c in asset.cases]) == (
            30_000_000, 0, [court_world["cases"][0]])
        assert _events(court_world["cases"][1], "更正冻结财产") == 1  # the case it no longer secures hears of it


# --- Counter-guarantees and their review --------------------------------------------------


def _guarantee(client, world, token, **overrides):
    data = {"csrf_token": token, "provider": "海南银行", "provider_developer": "", "kind": "bank_letter",
            "value": "300000", "cases": [str(world["cases"][0])], "valid_from": "2026-06-01",
            "valid_until": "2027-12-31", "backed_by": ""}
    data.update(overrides)
    return client.post(f"/court/developers/{world['developer']}/release/guarantees/new", data=data,
                       content_type="multipart/form-data")


def test_a_guarantee_is_recorded_with_its_documents_and_secures_nothing_until_accepted(app, client, court_world):
    token = _judge(client, court_world)
    _recorded_order(app, client, court_world, token)
    assert client.get(f"/court/developers/{court_world['developer']}/release/guarantees/new").status_code == 200
    import io

    response = _guarantee(client, court_world, token, files=[(io.BytesIO(PDF), "保函.pdf")])
    assert response.status_code == 303, response.get_data(as_text=True)
    with app.app_context():
        guarantee = db.session.scalars(select(CounterGuarantee)).one()
        stored = db.session.scalars(select(CounterGuaranteeFile)).one()
        assert (guarantee.status, guarantee.value_fen, stored.original_name) == ("offered", 30_000_000, "保函.pdf")
        assert release.build_scenario(court_world["developer"])["guarantees"] == []
        assert _events(court_world["cases"][0], f"G{guarantee.id}") == 1
    download = client.get(f"/court/counter-guarantees/{guarantee.id}/files/{stored.id}")
    assert download.status_code == 200 and download.data == PDF
    review = f"/court/counter-guarantees/{guarantee.id}/review"
    response, html = get_page(client, review)
    assert response.status_code == 200 and "保函.pdf" in html
    response = client.post(review, data={"csrf_token": token, "decision": "accept", "reason": "银行保函，足额有效"})
    assert response.status_code == 303
    with app.app_context():
        assert [g["id"] for g in release.build_scenario(court_world["developer"])["guarantees"]] == [f"G{guarantee.id}"]
        assert _events(court_world["cases"][0], "经审查接受") == 1
    again = client.post(review, data={"csrf_token": token, "decision": "refuse", "reason": "再审"})
    assert again.status_code == 422 and "已经审查过" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(CounterGuarantee, guarantee.id).status == "accepted"


@pytest.mark.parametrize(("overrides", "field", "says"), [
    ({"provider": ""}, "provider", "担保人"),
    ({"kind": "cheque"}, "kind", ""),
    ({"value": "-5"}, "value", "负数"),
    ({"valid_until": "2026-05-01"}, "valid_until", "不能早于"),
    ({"cases": []}, "cases", "案件"),
    ({"backed_by": "A2147483000"}, "backed_by", ""),
])
def test_each_mistake_in_a_guarantee_is_shown_next_to_its_field(app, client, court_world, overrides, field, says):
    token = _judge(client, court_world)
    response = _guarantee(client, court_world, token, **overrides)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in html and says in _error_of(html, field)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CounterGuarantee)) == 0


def test_a_file_that_is_not_a_document_refuses_the_whole_guarantee_and_leaves_no_file(app, client, court_world):
    import io

    token = _judge(client, court_world)
    uploads = Path(app.config["UPLOAD_DIR"])
    before = set(uploads.glob("*"))
    response = _guarantee(client, court_world, token,
                          files=[(io.BytesIO(PDF), "保函.pdf"), (io.BytesIO(b"<html>hi</html>"), "a.pdf")])
    assert response.status_code == 422 and "a.pdf" in _error_of(response.get_data(as_text=True), "files")
    assert set(uploads.glob("*")) == before
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CounterGuarantee)) == 0


def test_a_guarantee_resting_on_a_frozen_asset_is_said_to_add_no_security_and_the_planner_leaves_it_out(
        app, client, court_world):
    token = _judge(client, court_world)
    _recorded_order(app, client, court_world, token)
    with app.app_context():
        asset_id = db.session.scalars(select(FrozenAsset.id)).one()
    _, html = get_page(client, f"/court/developers/{court_world['developer']}/release/guarantees/new")
    assert "adds no security" in html or "不增加" in html or "不计" in html
    response = _guarantee(client, court_world, token, backed_by=f"A{asset_id}")
    assert response.status_code == 303
    _, html = get_page(client, f"/court/developers/{court_world['developer']}/release/records")
    assert f"A{asset_id}" in html
    with app.app_context():
        guarantee = db.session.scalars(select(CounterGuarantee)).one()
    client.post(f"/court/counter-guarantees/{guarantee.id}/review",
                data={"csrf_token": token, "decision": "accept", "reason": "足额"})
    with app.app_context():
        _, plan = release.plan_for(court_world["developer"])
    assert f"G{guarantee.id}" in plan["excluded_guarantees"]


def test_review_needs_a_decision_and_a_reason_and_a_refusal_is_on_the_timeline(app, client, court_world):
    token = _judge(client, court_world)
    _guarantee(client, court_world, token)
    with app.app_context():
        guarantee_id = db.session.scalars(select(CounterGuarantee.id)).one()
    path = f"/court/counter-guarantees/{guarantee_id}/review"
    response = client.post(path, data={"csrf_token": token, "reason": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and _error_of(html, "decision") and _error_of(html, "reason")
    assert client.post(path, data={"csrf_token": token, "decision": "refuse",
                                   "reason": "担保人资信不足"}).status_code == 303
    with app.app_context():
        assert db.session.get(CounterGuarantee, guarantee_id).status == "refused"
        assert _events(court_world["cases"][0], "不予接受：担保人资信不足") == 1


def test_a_blacklisted_developers_guarantee_cannot_be_accepted(app, client, make, court_world):
    from app.models.risk import BlacklistDecision

    with app.app_context():
        db.session.add(BlacklistDecision(developer_id=court_world["other_developer"], decided_at=NOW,
                                         reason="逾期交房且拒不履行"))
        db.session.commit()
    token = _judge(client, court_world)
    assert _guarantee(client, court_world, token, provider="关联置业",
                      provider_developer=str(court_world["other_developer"])).status_code == 303
    with app.app_context():
        guarantee_id = db.session.scalars(select(CounterGuarantee.id)).one()
    path = f"/court/counter-guarantees/{guarantee_id}/review"
    _, html = get_page(client, path)
    assert 'data-testid="blacklisted"' in html
    response = client.post(path, data={"csrf_token": token, "decision": "accept", "reason": "足额"})
    assert response.status_code == 422 and "失信" in _error_of(response.get_data(as_text=True), "decision")
    with app.app_context():
        assert db.session.get(CounterGuarantee, guarantee_id).status == "offered"
    assert client.post(path, data={"csrf_token": token, "decision": "refuse",
                                   "reason": "提供人已列入失信名单"}).status_code == 303


# --- Obligations --------------------------------------------------------------------------


def _obligation(client, world, token, rows, **overrides):
    data = {"csrf_token": token, "description": "支付违约金", "cost": "200000", "due_on": "2026-12-31", "after": ""}
    for i, (case, amount) in enumerate(rows):
        data[f"reductions-{i}-case"] = str(case)
        data[f"reductions-{i}-amount"] = amount
    data.update(overrides)
    return client.post(f"/court/developers/{world['developer']}/release/obligations/new", data=data)


def test_an_obligation_is_entered_performed_and_confirmed(app, client, court_world):
    token = _judge(client, court_world)
    first, second = court_world["cases"]
    _, html = get_page(client, f"/court/developers/{court_world['developer']}/release/obligations/new")
    assert html.count('data-testid="reduction-row"') == 4
    assert _obligation(client, court_world, token, [(first, "300000")]).status_code == 303
    with app.app_context():
        before = db.session.scalars(select(Obligation)).one()
    response = _obligation(client, court_world, token, [(second, "４００，０００")], description="退还购房款",
                           after=str(before.id))
    assert response.status_code == 303
    with app.app_context():
        then = db.session.scalars(select(Obligation).where(Obligation.id != before.id)).one()
        assert (then.after_id, then.reductions[0].amount_fen, str(then.due_on)) == (before.id, 40_000_000, "2026-12-31")
        scenario = release.build_scenario(court_world["developer"])
        assert {o["id"] for o in scenario["obligations"]} == {f"O{before.id}", f"O{then.id}"}
    mark = f"/court/obligations/{before.id}/mark"
    assert client.post(mark, data={"csrf_token": token, "status": "performed"}).status_code == 303
    assert client.post(mark, data={"csrf_token": token, "status": "confirmed"}).status_code == 303
    client.post(mark, data={"csrf_token": token, "status": "confirmed"})  # a second click changes nothing
    with app.app_context():
        assert db.session.get(Obligation, before.id).status == "confirmed"
        assert _events(first, f"O{before.id}") == 3  # recorded, performed, confirmed
        scenario = release.build_scenario(court_world["developer"])
        assert [o["id"] for o in scenario["obligations"]] == [f"O{then.id}"]  # confirmed: settled, no longer planned


@pytest.mark.parametrize(("rows", "overrides", "field", "says"), [
    ([], {}, "reductions", "至少"),
    ([("", "100")], {}, "reductions", "每一行"),
    ([(0, "")], {}, "reductions", "每一行"),
    ([(0, "100"), (0, "200")], {}, "reductions", "同一案件"),
    ([(0, "100")], {"description": ""}, "description", "义务"),
    ([(0, "100")], {"cost": ""}, "cost", "金额"),
    ([(0, "100")], {"after": "2147483000"}, "after", ""),
])
def test_each_mistake_in_an_obligation_is_shown_and_nothing_is_saved(app, client, court_world, rows, overrides,
                                                                      field, says):
    token = _judge(client, court_world)
    rows = [(court_world["cases"][c] if isinstance(c, int) else c, a) for c, a in rows]
    response = _obligation(client, court_world, token, rows, **overrides)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in html and says in _error_of(html, field), html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Obligation)) == 0


def test_an_obligation_cannot_settle_another_developers_case(app, client, court_world):
    token = _judge(client, court_world)
    response = _obligation(client, court_world, token, [(court_world["cases"][0], "100")],
                           **{"reductions-0-case": str(court_world["other_case"])})
    assert response.status_code == 422  # not among the choices: refused by the form itself


# --- From the other side -------------------------------------------------------------------


def _all_routes(world, ids):
    d = world["developer"]
    return [("GET", f"/court/developers/{d}/release/records"),
            ("GET", f"/court/developers/{d}/release/orders/new"), ("POST", f"/court/developers/{d}/release/orders/new"),
            ("GET", f"/court/preservation-orders/{ids['order']}/assets/new"),
            ("POST", f"/court/preservation-orders/{ids['order']}/assets/new"),
            ("GET", f"/court/frozen-assets/{ids['asset']}/edit"), ("POST", f"/court/frozen-assets/{ids['asset']}/edit"),
            ("GET", f"/court/developers/{d}/release/guarantees/new"),
            ("POST", f"/court/developers/{d}/release/guarantees/new"),
            ("GET", f"/court/counter-guarantees/{ids['guarantee']}/review"),
            ("POST", f"/court/counter-guarantees/{ids['guarantee']}/review"),
            ("GET", f"/court/developers/{d}/release/obligations/new"),
            ("POST", f"/court/developers/{d}/release/obligations/new"),
            ("POST", f"/court/obligations/{ids['obligation']}/mark")]


@pytest.fixture
def recorded(app, client, court_world):
    """One of each record, entered by the judge through the forms; then logged out."""
    token = _judge(client, court_world)
    _recorded_order(app, client, court_world, token)
    assert _guarantee(client, court_world, token).status_code == 303
    assert _obligation(client, court_world, token, [(court_world["cases"][0], "300000")]).status_code == 303
    client.post("/logout", data={"csrf_token": token})
    with app.app_context():
        return {"order": db.session.scalars(select(PreservationOrder.id)).one(),
                "asset": db.session.scalars(select(FrozenAsset.id)).one(),
                "guarantee": db.session.scalars(select(CounterGuarantee.id)).one(),
                "obligation": db.session.scalars(select(Obligation.id)).one()}


@pytest.mark.parametrize("role", ["homeowner", "developer", "mediator", "judge of another court"])
def test_nobody_but_the_courts_judges_records_anything(app, client, make, court_world, recorded, role):
    from app.models import Developer

    with app.app_context():
        developer = db.session.get(Developer, court_world["developer"])
    if role == "developer":  # even the developer concerned only reads
        user = make.user("developer", developer=developer)
    elif role == "mediator":
        user = make.user("mediator", court=court_world["court"])
    elif role == "judge of another court":
        user = make.user("judge")
    else:
        user = make.user("homeowner")
    login(client, user.username)
    token = csrf_token(client, "/account/password")
    expected = 404 if role == "judge of another court" else 403
    for method, path in _all_routes(court_world, recorded):
        response = client.open(path, method=method, data={"csrf_token": token, "status": "confirmed",
                                                          "decision": "accept", "reason": "x", "value": "1"})
        assert response.status_code == expected, (method, path, response.status_code)
        assert "基本户 4601" not in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Obligation, recorded["obligation"]).status == "open"
        assert db.session.get(CounterGuarantee, recorded["guarantee"]).status == "offered"
        assert db.session.get(FrozenAsset, recorded["asset"]).frozen_fen == 80_000_000


def test_the_developer_sees_its_own_records_read_only_and_another_developer_sees_none(
        app, client, make, court_world, recorded):
    from app.models import Developer

    with app.app_context():
        developer = db.session.get(Developer, court_world["developer"])
    own, stranger = make.user("developer", developer=developer), make.user("developer")
    login(client, own.username)
    _, html = get_page(client, "/developer/release")
    assert "（2026）琼9005财保12号" in html and "海南银行" in html and "支付违约金" in html and "2026-12-31" in html
    assert "/mark" not in html and "/review" not in html
    other = app.test_client()
    login(other, stranger.username)
    _, html = get_page(other, "/developer/release")
    assert "财保12号" not in html and "海南银行" not in html and "支付违约金" not in html


# --- The same plan as the command line ------------------------------------------------------


def test_records_entered_through_the_forms_plan_as_the_command_line_does_on_the_export(
        app, client, court_world, tmp_path):
    token = _judge(client, court_world)
    first, second = court_world["cases"]
    order_id = _recorded_order(app, client, court_world, token)
    unit = {"csrf_token": token, "kind": "unit", "label": "1栋101", "value": "500000", "cases": [str(first)]}
    assert client.post(f"/court/preservation-orders/{order_id}/assets/new", data=unit).status_code == 303
    assert _guarantee(client, court_world, token).status_code == 303
    with app.app_context():
        guarantee_id = db.session.scalars(select(CounterGuarantee.id)).one()
    assert client.post(f"/court/counter-guarantees/{guarantee_id}/review", data={
        "csrf_token": token, "decision": "accept", "reason": "银行保函，足额有效"}).status_code == 303
    assert _obligation(client, court_world, token, [(first, "300000")]).status_code == 303
    with app.app_context():
        before = db.session.scalars(select(Obligation.id)).one()
    assert _obligation(client, court_world, token, [(second, "400000")], description="退还购房款",
                       after=str(before)).status_code == 303
    with app.app_context():
        _, plan = release.plan_for(court_world["developer"])
    target = tmp_path / "scenario.json"
    result = app.test_cli_runner().invoke(args=["release", "export", str(court_world["developer"]), "-o", str(target)])
    assert result.exit_code == 0, result.output
    cli = subprocess.run([sys.executable, "-m", "risk.plan", str(target)], capture_output=True, text=True)
    assert json.loads(cli.stdout) == plan
    assert plan["status"] == "complete" and len(plan["stages"]) >= 2 and plan["total_released"] > 0
    _, html = get_page(client, f"/court/developers/{court_world['developer']}/release")
    assert html.count('data-testid="stage"') == len(plan["stages"])


def test_an_obligation_from_a_confirmed_agreement_is_marked_with_the_same_button_and_told_on_its_case(
        app, client, court_world):
    first = court_world["cases"][0]
    with app.app_context():  # as judicial confirmation makes it from a milestone settling no amount
        obligation = Obligation(developer_id=court_world["developer"], description="交付房屋", cost_fen=0,
                                status="open", created_at=NOW, case_id=first, performer="开发企业")
        db.session.add(obligation)
        db.session.commit()
        obligation_id = obligation.id
    token = _judge(client, court_world)
    _, html = get_page(client, f"/court/developers/{court_world['developer']}/release/records")
    assert "交付房屋" in html and f"/court/obligations/{obligation_id}/mark" in html
    assert client.post(f"/court/obligations/{obligation_id}/mark",
                       data={"csrf_token": token, "status": "confirmed"}).status_code == 303
    with app.app_context():
        assert db.session.get(Obligation, obligation_id).status == "confirmed"
        assert _events(first, f"O{obligation_id}") == 1


def test_two_judges_recording_the_same_ruling_at_once_get_one_order_and_a_message(app, court_world, monkeypatch):
    """The check before the insert can miss a ruling committed a moment later: the unique
    number then answers, and the judge sees it next to the field (not a server error)."""
    from datetime import date

    from app.services import release_records
    from app.services.errors import ServiceError

    with app.app_context():
        asset = {"kind": "bank_account", "label": "基本户", "frozen_fen": 100, "cases": [court_world["cases"][0]]}
        kwargs = dict(court_id=court_world["court"].id, ruling_no="（2026）琼9005财保30号", ruled_on=date(2026, 6, 1),
                      expires_on=date(2027, 6, 1), asset=asset, actor=None, now=NOW)
        release_records.record_order(court_world["developer"], **kwargs)
        real_select = release_records.select

        def blind_to_orders(*columns):  # the other judge's read happened before the first commit
            if columns and columns[0] is PreservationOrder.id:
                return real_select(PreservationOrder.id).where(PreservationOrder.id < 0)
            return real_select(*columns)

        monkeypatch.setattr(release_records, "select", blind_to_orders)
        with pytest.raises(ServiceError) as refused:
            release_records.record_order(court_world["developer"], **kwargs)
        assert refused.value.raw_errors[0]["field"] == "ruling_no"
        monkeypatch.undo()
        assert db.session.scalar(select(func.count()).select_from(PreservationOrder)) == 1
        assert db.session.scalar(select(func.count()).select_from(FrozenAsset)) == 1


def test_an_english_reader_gets_the_forms_and_their_mistakes_in_english(app, client, court_world):
    token = _judge(client, court_world)
    client.get("/lang/en")
    response, html = get_page(client, f"/court/developers/{court_world['developer']}/release/orders/new")
    assert "Record a preservation order" in html and "Supervised pre-sale account" in html
    response = _order(client, court_world, token, ruling_no="（2026）琼9005民初12号", value="12.345")
    html = response.get_data(as_text=True)
    assert "type code is 财保 or 执保" in _error_of(html, "ruling_no")
    assert "at most two decimals" in _error_of(html, "value")


def test_every_mistake_of_a_form_is_shown_at_once_the_forms_and_the_services(app, client, court_world):
    token = _judge(client, court_world)
    response = _order(client, court_world, token, ruling_no="（2026）琼9005民初12号", value="abc",
                      ruled_on="2026-06-01", expires_on="2026-01-01", label="")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert all(_error_of(html, field) for field in ("ruling_no", "value", "expires_on", "label")), html
    assert _error_of(html, "value").count("金额") == 1  # the form's own message, not twice
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PreservationOrder)) == 0
