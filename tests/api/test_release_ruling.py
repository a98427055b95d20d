"""Releasing a stage issues its release ruling (解除保全裁定, ``release_ruling``): a verifiable
PDF in the file of the first case the released assets secure, the developer's copy; a refused
approval issues nothing and leaves no file."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.services import release
from tests.documents_support import pdf_text
from tests.services.test_release import NOW, frozen_developer, judge_of_the_cases  # noqa: F401  (the fixture)


def _rulings():
    from app.models import Document

    return db.session.scalars(select(Document).where(Document.kind == "release_ruling")).all()


def test_a_released_stage_issues_a_verifiable_ruling_the_developer_and_court_see(
        app, client, make, bearer, frozen_developer, tmp_path):  # noqa: F811
    from app.models import Developer
    from app.services.documents import path_of, verification

    judge = judge_of_the_cases(app, make, frozen_developer)
    with app.app_context():
        plan = release.propose_plan(frozen_developer["developer"], actor_id=None, now=NOW)
        release.approve_stage(plan.id, 1, actor_id=judge.id, actor_role="judge", now=NOW)
        [ruling] = _rulings()
        pdf = path_of(ruling).read_bytes()
        assert verification(ruling.verify_code).id == ruling.id
        own = db.session.get(Developer, frozen_developer["developer"])
        case_id, ruling_id, developer_name = ruling.case_id, ruling.id, own.name
        assert case_id == min(frozen_developer["cases"]) and ruling.party_developer_id == own.id
    text = pdf_text(pdf, tmp_path)
    assert "解除保全裁定书" in text and developer_name in text and "（2026）琼9005财保1号" in text
    assert "第1阶段" in text.replace(" ", "") or "第 1 阶段" in text

    staff = bearer(make.user("developer", developer=own))
    listed = client.get(f"/api/v1/cases/{case_id}/documents", headers=staff).get_json()
    assert ruling_id in [d["id"] for d in listed["items"]]
    assert client.get(f"/api/v1/documents/{ruling_id}/pdf", headers=staff).data == pdf
    stranger = bearer(make.user("developer"))  # another company's staff
    assert client.get(f"/api/v1/documents/{ruling_id}/pdf", headers=stranger).status_code == 404
    other_court = bearer(make.user("judge"))
    assert client.get(f"/api/v1/documents/{ruling_id}/pdf", headers=other_court).status_code == 404
    assert client.get(f"/verify/{ruling.verify_code}").status_code == 200


def test_a_refused_approval_issues_no_ruling_and_leaves_no_file(app, make, frozen_developer):  # noqa: F811
    from app.services.documents import documents_dir
    from app.services.errors import ConflictError

    with app.app_context():
        plan = release.propose_plan(frozen_developer["developer"], actor_id=None, now=NOW)
        before = set(documents_dir().glob("*.pdf")) if documents_dir().is_dir() else set()
        try:
            release.approve_stage(plan.id, 2, actor_id=None, actor_role="judge", now=NOW)  # stage 1 first
            raise AssertionError("stage 2 was approved before stage 1")
        except ConflictError:
            pass
        after = set(documents_dir().glob("*.pdf")) if documents_dir().is_dir() else set()
        assert _rulings() == [] and after == before
        release.approve_stage(plan.id, 1, actor_id=None, actor_role="judge", now=NOW)
        try:
            release.approve_stage(plan.id, 1, actor_id=None, actor_role="judge", now=NOW)  # again
            raise AssertionError("stage 1 was released twice")
        except ConflictError:
            pass
        assert len(_rulings()) == 1 and Path(documents_dir()).is_dir()
