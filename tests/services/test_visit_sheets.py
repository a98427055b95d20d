"""The printable visit sheet: the visit's cases and parties (IDs masked), a verify code, one
sheet per visit, listed with every case it serves, for the court's side only."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Document, User
from app.services import documents, visit_sheets, visits
from app.services.errors import NotFoundError
from tests.documents_support import pdf_text
from tests.factories import NOW
from tests.services.test_visits import NINE


def actor(user) -> User:
    return db.session.get(User, user.id)


@pytest.fixture
def booked(app, make):
    court = make.court()
    project = make.project(court=court)
    wang = make.user("mediator", court=court, name="王调解")
    owner = make.user("homeowner", person=make.person("符海燕"))
    first = make.case(project=project, status="assigned", mediator=wang.mediator, claimant=owner.person)
    second = make.case(project=project, status="assigned", mediator=wang.mediator)
    with app.app_context():
        visit = visits.schedule_visit(project.id, [first.id, second.id], room="售楼部会议室<img src='/etc/passwd'>",
                                      starts_at=NINE, ends_at=NINE + timedelta(hours=2), actor=actor(wang), now=NOW)
        visit_id = visit.id
    return {"visit_id": visit_id, "wang": wang, "owner": owner, "first": first, "second": second,
            "judge": make.user("judge", court=court), "other_judge": make.user("judge"),
            "other_mediator": make.user("mediator", court=court),
            "company": make.user("developer", developer=project.developer)}


def test_the_sheet_prints_both_cases_with_masked_ids_and_its_code_and_hashes_as_stored(app, booked, tmp_path):
    with app.test_request_context():
        sheet = visit_sheets.issue_visit_sheet(booked["visit_id"], actor=actor(booked["wang"]), now=NOW)
        data = documents.path_of(sheet).read_bytes()
        assert hashlib.sha256(data).hexdigest() == sheet.sha256
        assert sheet.kind == "visit_sheet" and sheet.visit_id == booked["visit_id"]
        text = "".join(pdf_text(data, tmp_path).split())  # table cells wrap
        person = booked["owner"].person
        assert "上门调解安排单" in text and "售楼部会议室" in text and "王调解" in text
        assert booked["first"].number in text and booked["second"].number in text
        assert "符海燕" in text  # the mediator sees names in full
        assert person.resident_id not in text and person.resident_id[-4:] in text  # the ID masked
        assert "<imgsrc=" in text  # user text printed literally, not read as markup
        assert sheet.verify_code[:4] in text


def test_a_second_request_returns_the_same_sheet_and_every_served_case_lists_it(app, booked):
    with app.test_request_context():
        one = visit_sheets.issue_visit_sheet(booked["visit_id"], actor=actor(booked["wang"]), now=NOW)
        two = visit_sheets.issue_visit_sheet(booked["visit_id"], actor=actor(booked["judge"]),
                                             now=NOW + timedelta(minutes=5))
        assert one.id == two.id and db.session.query(Document).count() == 1
        for case in (booked["first"], booked["second"]):
            assert [d.id for d in documents.case_documents(actor(booked["judge"]), case.id)] == [one.id]
            assert [d.id for d in documents.case_documents(actor(booked["wang"]), case.id)] == [one.id]
        # The parties do not get the sheet: it names the other cases' parties.
        assert documents.case_documents(actor(booked["owner"]), booked["first"].id) == []
        assert documents.case_documents(actor(booked["company"]), booked["first"].id) == []


@pytest.mark.parametrize("who", ["other_judge", "other_mediator", "owner", "company"])
def test_nobody_else_prints_the_sheet(app, booked, who):
    with app.test_request_context():
        with pytest.raises(NotFoundError):
            visit_sheets.issue_visit_sheet(booked["visit_id"], actor=actor(booked[who]), now=NOW)
        assert db.session.query(Document).count() == 0
