"""Site visits (上门调解): a mediator goes to a project and meets the parties of several cases.

A visit serves one or more cases of one project, at one place (a room at the site, e.g. the
sales office's meeting room), between two moments. Nobody is double-booked: the mediator,
the room and every party (a person) are in one place at a time, so a visit that overlaps
another of the same mediator, the same room of the same project, or a visit where the same
person is a party, is refused, the clash named. Two visits touching end to start do not
clash. The developer is a company that can send different staff to two sites at once, so
it is not a party here.

Pure: the service passes the proposed visit and the visits already booked in its window.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from mediation.lifecycle import COURT_TZ
from mediation.messages import Msg

__all__ = ["BookedVisit", "MAX_VISIT_HOURS", "ProposedVisit", "VisitError", "check_visit"]

# A visit is a working day's trip at most; longer is a typing mistake.
MAX_VISIT_HOURS = 10


class VisitError(ValueError):
    def __init__(self, message: Msg, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class ProposedVisit:
    mediator_id: int
    project_id: int
    room: str
    starts_at: datetime  # aware, UTC
    ends_at: datetime
    case_ids: frozenset[int]
    party_ids: frozenset[int]  # persons who are parties to the cases


@dataclass(frozen=True)
class BookedVisit(ProposedVisit):
    id: int = 0
    mediator_name: str = ""
    project_name: str = ""


def _when(moment: datetime) -> str:
    return moment.astimezone(COURT_TZ).strftime("%Y-%m-%d %H:%M")


def check_visit(visit: ProposedVisit, booked: list[BookedVisit], *, now: datetime,
                party_names: dict[int, str] | None = None) -> None:
    """Raise VisitError when the visit is malformed or double-books someone."""
    if not visit.case_ids:
        raise VisitError(Msg("请至少选择一件案件", "Choose at least one case"), "case_ids")
    if visit.ends_at <= visit.starts_at:
        raise VisitError(Msg("结束时间应晚于开始时间", "The end must be after the start"), "ends_at")
    if visit.ends_at - visit.starts_at > timedelta(hours=MAX_VISIT_HOURS):
        raise VisitError(Msg("一次上门调解不超过{h}小时", "A visit lasts at most {h} hours",
                             h=MAX_VISIT_HOURS), "ends_at")
    if visit.starts_at < now:
        raise VisitError(Msg("开始时间已过", "The start is in the past"), "starts_at")
    names = party_names or {}
    for other in booked:
        if not (visit.starts_at < other.ends_at and other.starts_at < visit.ends_at):
            continue
        when = Msg("{a}至{b}", "{a} to {b}", a=_when(other.starts_at), b=_when(other.ends_at))
        if other.mediator_id == visit.mediator_id:
            raise VisitError(Msg("调解员{n}在{w}已有上门调解（{p}）",
                                 "Mediator {n} already has a visit {w_en} ({p})",
                                 n=other.mediator_name, w=when, w_en=when.en,
                                 p=other.project_name), "starts_at")
        if other.project_id == visit.project_id and other.room.strip() == visit.room.strip():
            raise VisitError(Msg("{p}的“{r}”在{w}已被占用", "{p}'s “{r}” is taken {w_en}",
                                 p=other.project_name, r=visit.room, w=when, w_en=when.en), "room")
        common = visit.party_ids & other.party_ids
        if common:
            who = "、".join(names.get(p, str(p)) for p in sorted(common))
            raise VisitError(Msg("当事人{who}在{w}已约定参加另一次上门调解（{p}）",
                                 "Party {who} is already due at another visit {w_en} ({p})",
                                 who=who, w=when, w_en=when.en, p=other.project_name), "case_ids")
