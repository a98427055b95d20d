"""The clerk's account use-cases and the register of developers and projects."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Developer, LoginSession, Mediator, Project, User
from app.services import account_admin, accounts, registry, self_service
from app.services.errors import ServiceError
from mediation.identifiers import make_uscc
from tests.factories import NOW, PASSWORD


def clerk(app, make):
    made = make.user("admin")
    return made


def test_the_clerk_creates_a_mediator_with_its_mediator_record(app, make):
    admin = clerk(app, make)
    court = make.court()
    with app.app_context():
        user = account_admin.create_account(
            actor=db.session.get(User, admin.id), now=NOW, role="mediator", username="wu.mediator",
            name="吴调解", password="Mediate2026", confirm="Mediate2026", phone="13912345678",
            court_id=court.id, mediator_kind="invited", skills=["quality", "late_delivery"],
            capacity="15")
        mediator = db.session.scalar(select(Mediator).where(Mediator.user_id == user.id))
        assert (mediator.court_id, mediator.kind, mediator.capacity) == (court.id, "invited", 15)
        assert mediator.skills == ["quality", "late_delivery"] and mediator.active
        assert accounts.authenticate("wu.mediator", "Mediate2026").id == user.id


def test_every_bad_field_of_a_new_account_is_reported_at_once(app, make):
    admin = clerk(app, make)
    taken = make.user("judge")
    with app.app_context():
        with pytest.raises(ServiceError) as refused:
            account_admin.create_account(
                actor=db.session.get(User, admin.id), now=NOW, role="mediator",
                username=taken.username, name="", password="x", confirm="x", phone="12",
                email="not-an-address", court_id="", mediator_kind="wizard", skills=["magic"],
                capacity="-1")
        fields = {e["field"] for e in refused.value.errors}
        assert fields == {"username", "name", "password", "phone", "email", "court_id", "mediator_kind",
                          "skills", "capacity"}
        assert db.session.scalar(select(func.count()).select_from(Mediator)) == 0


def test_homeowners_are_not_created_by_the_clerk_but_register_themselves(app, make):
    admin = clerk(app, make)
    with app.app_context():
        with pytest.raises(ServiceError) as refused:
            account_admin.create_account(
                actor=db.session.get(User, admin.id), now=NOW, role="homeowner",
                username="owner1", name="王", password="Owner2026", confirm="Owner2026")
        assert refused.value.errors[0]["field"] == "role"


def test_deactivation_ends_every_session_and_token_and_refuses_new_logins(app, make):
    """Can a deactivated account go on with a session cookie or an API token? No."""
    admin = clerk(app, make)
    judge = make.user("judge")
    with app.app_context():
        user = db.session.get(User, judge.id)
        web, _ = accounts.sign_in(user, now=NOW)
        api, _ = accounts.sign_in(user, now=NOW, kind="api")
        account_admin.deactivate_account(actor=db.session.get(User, admin.id), now=NOW,
                                         user_id=judge.id)
        assert db.session.scalar(select(func.count()).select_from(LoginSession).where(
            LoginSession.user_id == judge.id, LoginSession.revoked_at.is_(None))) == 0
        assert accounts.load_session_user(web, now=NOW) is None
        assert accounts.load_session_user(api, now=NOW, kind="api") is None
        assert accounts.authenticate(judge.username, PASSWORD) is None
        # Reactivated, it logs in afresh; the old sessions stay ended.
        account_admin.activate_account(actor=db.session.get(User, admin.id), now=NOW,
                                       user_id=judge.id)
        assert accounts.authenticate(judge.username, PASSWORD) is not None
        assert accounts.load_session_user(web, now=NOW) is None


def test_a_deactivated_mediator_gets_no_new_cases(app, make):
    admin = clerk(app, make)
    mediator = make.user("mediator")
    with app.app_context():
        account_admin.deactivate_account(actor=db.session.get(User, admin.id), now=NOW,
                                         user_id=mediator.id)
        assert db.session.scalar(select(Mediator.active).where(Mediator.user_id == mediator.id)) \
            is False


def test_the_clerk_cannot_deactivate_the_own_account(app, make):
    admin = clerk(app, make)
    with app.app_context():
        with pytest.raises(ServiceError):
            account_admin.deactivate_account(actor=db.session.get(User, admin.id), now=NOW,
                                             user_id=admin.id)
        assert db.session.get(User, admin.id).active


def test_a_clerk_reset_sets_the_password_and_ends_every_session(app, make):
    admin = clerk(app, make)
    owner = make.user("homeowner")
    with app.app_context():
        token, _ = accounts.sign_in(db.session.get(User, owner.id), now=NOW)
        with pytest.raises(ServiceError) as refused:
            account_admin.reset_password(actor=db.session.get(User, admin.id), now=NOW,
                                         user_id=owner.id, password="12345678", confirm="12345678")
        assert refused.value.field == "password"
        account_admin.reset_password(actor=db.session.get(User, admin.id), now=NOW,
                                     user_id=owner.id, password="Counter2026", confirm="Counter2026")
        assert accounts.load_session_user(token, now=NOW) is None
        assert accounts.authenticate(owner.username, "Counter2026") is not None


def test_ending_all_sessions_reports_how_many_were_live(app, make):
    admin = clerk(app, make)
    judge = make.user("judge")
    with app.app_context():
        user = db.session.get(User, judge.id)
        for kind in ("web", "web", "api"):
            accounts.sign_in(user, now=NOW, kind=kind)
        assert account_admin.end_sessions(actor=db.session.get(User, admin.id), now=NOW,
                                          user_id=judge.id) == 3
        assert account_admin.end_sessions(actor=db.session.get(User, admin.id), now=NOW,
                                          user_id=judge.id) == 0
        assert db.session.get(User, judge.id).active  # ending sessions is not deactivating


def test_an_invited_developer_sets_a_password_through_the_sms_link_once(app, make):
    admin = clerk(app, make)
    developer = make.developer(name="椰城置业有限公司")
    with app.app_context():
        user = account_admin.invite_developer_staff(
            actor=db.session.get(User, admin.id), now=NOW, developer_id=developer.id,
            name="陈经理", phone="13707561111", email=None,
            link_for=lambda token: f"https://court.example/invitation/{token}")
        assert (user.role, user.username, user.developer_id) == ("developer", "13707561111",
                                                                 developer.id)
        text = app.extensions["sms"].last_to("13707561111")
        assert "椰城置业有限公司" in text
        token = re.search(r"/invitation/(\S+)", text).group(1)
        assert accounts.authenticate("13707561111", "") is None
        self_service.set_password_by_link(token, "invitation", password="Developer1",
                                          confirm="Developer1", now=NOW + timedelta(days=6))
        assert accounts.authenticate("13707561111", "Developer1").id == user.id
        with pytest.raises(ServiceError):
            self_service.set_password_by_link(token, "invitation", password="Developer2",
                                              confirm="Developer2", now=NOW + timedelta(days=6))


def test_an_invitation_expires_after_seven_days(app, make):
    admin = clerk(app, make)
    developer = make.developer()
    with app.app_context():
        account_admin.invite_developer_staff(
            actor=db.session.get(User, admin.id), now=NOW, developer_id=developer.id,
            name="陈经理", phone="13707561111", email=None, link_for=lambda token: token)
        token = app.extensions["sms"].last_to("13707561111").rsplit("：", 1)[1]
        with pytest.raises(ServiceError):
            self_service.link_holder(token, "invitation", now=NOW + timedelta(days=7, seconds=1))


def test_the_account_search_finds_by_name_phone_and_role(app, make):
    make.user("judge", name="符法官")
    make.user("mediator", name="云调解", phone="13611112222")
    with app.app_context():
        rows, total = account_admin.search_accounts(q="符", now=NOW)
        assert total == 1 and rows[0].user.name == "符法官"
        rows, total = account_admin.search_accounts(q="1111222", now=NOW)
        assert [r.user.name for r in rows] == ["云调解"]
        rows, total = account_admin.search_accounts(role="mediator", now=NOW)
        assert total == 1
        rows, total = account_admin.search_accounts(q="100%_", now=NOW)
        assert total == 0


# --- developers and projects ---------------------------------------------------------


def test_a_developer_is_registered_with_a_valid_and_unique_credit_code(app, make):
    admin = clerk(app, make)
    code = make_uscc("91469005MA5T00001")
    with app.app_context():
        actor = db.session.get(User, admin.id)
        developer = registry.save_developer(actor=actor, now=NOW, name="文昌椰林置业有限公司",
                                            uscc=code.lower(), phone="0898-63212345")
        assert developer.uscc == code
        bad = code[:-1] + ("0" if code[-1] != "0" else "1")
        with pytest.raises(ServiceError) as refused:
            registry.save_developer(actor=actor, now=NOW, name="另一家", uscc=bad)
        assert refused.value.field == "uscc" and "校验位" in refused.value.message
        with pytest.raises(ServiceError, match="已登记"):
            registry.save_developer(actor=actor, now=NOW, name="另一家", uscc=code)
        # Editing keeps its own code.
        registry.save_developer(actor=actor, now=NOW, developer_id=developer.id,
                                name="文昌椰林置业有限公司（更名）", uscc=code)
        assert registry.search_developers("更名")[1] == 1


def test_a_project_is_checked_field_by_field(app, make):
    admin = clerk(app, make)
    developer, court, town = make.developer(), make.court(), make.town()
    with app.app_context():
        actor = db.session.get(User, admin.id)
        with pytest.raises(ServiceError) as refused:
            registry.save_project(actor=actor, now=NOW, name="", developer_id="",
                                  court_id=court.id, town_id=town.id, latitude="95",
                                  longitude="110.8", units_total="10", units_delivered="11")
        fields = {e["field"] for e in refused.value.errors}
        assert fields == {"name", "developer_id", "latitude", "units_delivered"}
        project = registry.save_project(
            actor=actor, now=NOW, name="椰风海韵", developer_id=developer.id, court_id=court.id,
            town_id=town.id, address="文城镇文建路1号", latitude="19.61", longitude="110.75",
            presale_permit="文房预字(2024)第8号", units_total="480", units_delivered="0",
            promised_delivery_on=date(2026, 6, 30))
        assert (project.units_total, project.latitude) == (480, 19.61)
        assert db.session.scalar(select(func.count()).select_from(Project)) == 1


def test_renaming_a_project_keeps_the_case_search_in_step(app, make):
    admin = clerk(app, make)
    case = make.case()
    with app.app_context():
        project = db.session.get(Project, case.project_id)
        registry.save_project(actor=db.session.get(User, admin.id), now=NOW,
                              project_id=project.id, name="椰风新城", developer_id=project.developer_id,
                              court_id=project.court_id, town_id=project.town_id,
                              units_total="100", units_delivered="10")
        from app.models import Case

        assert "椰风新城" in db.session.get(Case, case.id).search_text
        assert db.session.scalar(select(func.count()).select_from(Developer)) == 1
