"""A case is findable by its claimants' names and facts as soon as it is registered or merged."""
from __future__ import annotations

from app.models.types import utcnow


def _search(app, user_id, q):
    from app.extensions import db
    from app.models import User
    from app.services.case_lists import list_cases

    with app.app_context():
        user = db.session.get(User, user_id)
        numbers = [c.number for c in list_cases(user, {"q": q}, now=utcnow()).items]
        db.session.remove()
    return numbers


def test_accepting_and_merging_complaints_make_the_case_searchable(app, make):
    from app.extensions import db
    from app.models import User
    from app.services.triage import accept_complaint, merge_complaints

    project = make.project(name="椰风海韵")
    judge = make.user("judge", court=project.court)
    first = make.complaint(project=project, person=make.person("符亚平"))
    second = make.complaint(project=project, person=make.person("邢少英"))
    with app.app_context():
        actor = db.session.get(User, judge.id)
        case = accept_complaint(first.id, actor=actor, now=utcnow())
        number, case_id = case.number, case.id
        db.session.remove()
    assert _search(app, judge.id, "符亚平") == [number]
    assert _search(app, judge.id, "邢少英") == []
    with app.app_context():
        actor = db.session.get(User, judge.id)
        merge_complaints([second.id], actor=actor, now=utcnow(), into_case_id=case_id)
        db.session.remove()
    assert _search(app, judge.id, "邢少英") == [number]
    assert _search(app, judge.id, "少英") == [number]  # two characters still work
