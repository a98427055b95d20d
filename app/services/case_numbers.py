"""Numbers of the court's other case types: a confirmation ruling (民特) and a lawsuit filed
after failed mediation (民初), in the court's style (``mediation.casenumber``), gap-free per
court, year and type (an upsert then an increment, safe with two judges at once)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from app.extensions import db
from app.models import Case, CaseTypeCounter
from app.models.types import upsert_insert
from mediation.casenumber import format_case_number
from mediation.lifecycle import court_date

#: 民特: special procedures, which include confirming a mediation agreement (民事诉讼法 ch. 15).
CONFIRMATION = "民特"
#: 民初: a civil case of first instance — the lawsuit after failed pre-litigation mediation.
FIRST_INSTANCE = "民初"


def next_number(case: Case, type_code: str, now: datetime) -> str:
    """The next number of ``type_code`` in the case's court for the year of ``now`` (court time)."""
    year = court_date(now).year
    table = CaseTypeCounter.__table__
    insert = upsert_insert(db.session.get_bind())
    db.session.execute(insert(table).values(court_id=case.court_id, year=year, type_code=type_code, last_seq=0)
                       .on_conflict_do_nothing())
    seq = db.session.execute(
        update(table).where(table.c.court_id == case.court_id, table.c.year == year, table.c.type_code == type_code)
        .values(last_seq=table.c.last_seq + 1).returning(table.c.last_seq)).scalar_one()
    return format_case_number(year, case.court.code, seq, type_code=type_code)
