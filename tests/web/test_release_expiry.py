"""The plan page and the API flag a counter-guarantee that lapses before the plan ends
(docs/release-in-the-app.md): the frozen developer's bank letter is valid until 2027-12-31."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update

from app.extensions import db
from app.models.release import Obligation
from app.services import release
from tests.api.conftest import bearer  # noqa: F401  (the fixture)
from tests.services.test_release import NOW, frozen_developer, judge_of_the_cases  # noqa: F401  (the fixture)
from tests.web.helpers import login


def _due(app, obligation_id: int, day: date) -> None:
    with app.app_context():
        db.session.execute(update(Obligation).where(Obligation.id == obligation_id).values(due_on=day))
        db.session.commit()


@pytest.mark.parametrize("last_due, flagged", [(date(2027, 12, 31), False), (date(2028, 1, 1), True)])
def test_the_letter_is_flagged_only_when_the_plan_ends_after_its_last_valid_day(
        app, client, make, bearer, frozen_developer, last_due, flagged):  # noqa: F811
    first, then = frozen_developer["obligations"]
    _due(app, first, date(2027, 3, 1))
    _due(app, then, last_due)
    judge = judge_of_the_cases(app, make, frozen_developer)
    with app.app_context():
        release.propose_plan(frozen_developer["developer"], actor_id=None, now=NOW)
    login(client, judge.username)
    html = client.get(f"/court/developers/{frozen_developer['developer']}/release").get_data(as_text=True)
    assert ('data-testid="expiring-guarantees"' in html) is flagged
    items = client.get(f"/api/v1/release-plans?developer_id={frozen_developer['developer']}",
                       headers=bearer(judge)).get_json()["items"]
    [kept] = items
    assert "stages" in kept and "blocked" in kept  # the contract's fields are all still there
    if not flagged:
        assert kept["expiring_guarantees"] == []
        return
    [flag] = kept["expiring_guarantees"]
    assert flag["valid_until"] == "2027-12-31" and flag["plan_ends_on"] == "2028-01-01"
    assert flag["provider"] == "海南银行" and flag["guarantee"].startswith("G")
    assert f'data-testid="expiring-{flag["guarantee"]}"' in html
