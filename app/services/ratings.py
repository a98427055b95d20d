"""好差评: the parties rate a closed case; a bad rating opens a follow-up for the judge.

- ``invite_ratings``: when a case closes, its parties are asked to rate (called from
  ``case_records.save_state``, inside the closing use-case's transaction).
- ``rate_case``: a party rates once (1–5 and a comment); a rating of 2 or less opens a
  ``FollowUp`` due in 5 working days and tells the case's judge (or the court's judges).
- ``complete_followup``: a judge of the court records what the follow-up found.
- ``rating_figures``: ``satisfaction_rate`` and ``followup_rate`` for the statistics API.
See ``mediation.ratings`` and docs/on-site.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.access import Permission, can
from app.extensions import db
from app.models import Case, FollowUp, NoticeKind, Rating, User
from app.services import onsite_notices as notices
from app.services.agreements import case_parties, signer_key
from app.services.errors import ConflictError, ForbiddenError, NotFoundError, ServiceError
from app.services.reminders import remind
from app.services.statistics import _utc_bounds
from app.services.use_case import use_case
from mediation.lifecycle import CaseStatus, court_date, date_zh
from mediation.messages import Msg
from mediation.ratings import RatingError, check_rating, followup_due, followup_rate, is_bad, satisfaction_rate
from risk.workdays import is_working_day

__all__ = ["complete_followup", "invite_ratings", "rate_case", "rating_figures", "rating_page"]


def invite_ratings(case: Case, now: datetime) -> None:
    """Ask every party of a case that just closed to rate the service."""
    notices.tell_all(notices.party_users(case), None, NoticeKind.RATING_INVITED,
                     Msg("请评价案件{n}的调解服务", "Please rate the service on case {n}", n=case.number),
                     Msg("案件{n}已结案。请登录平台为本次调解服务评分（1至5星）并留下意见；差评将由法官回访。",
                         "Case {n} is closed. Please rate the service (1 to 5 stars) and comment on the "
                         "platform; a judge follows up every bad rating.", n=case.number),
                     key=f"rating_invited:{case.id}", now=now, case_id=case.id)


@use_case
def rate_case(case_id: int, *, actor: User, score, comment: str, now: datetime) -> Rating:
    case = db.session.get(Case, case_id)
    if case is None or not can(actor, Permission.CASE_VIEW, case):
        raise NotFoundError(Msg("案件不存在", "No such case"))
    key = signer_key(actor)
    if key is None or key not in dict(case_parties(case)):
        raise ForbiddenError(Msg("只有本案当事人可以评价", "Only a party of the case rates it"))
    if case.status != CaseStatus.CLOSED.value:
        raise ServiceError(Msg("结案后才能评价", "A case is rated once it is closed"), "score")
    try:
        score, comment = check_rating(score, comment)
    except RatingError as error:
        raise ServiceError(error.message, error.field) from None
    if db.session.scalar(select(Rating.id).where(Rating.case_id == case.id, Rating.party_key == key)):
        raise ConflictError(Msg("您已评价过该案件", "You have rated this case"))
    rating = Rating(case_id=case.id, court_id=case.court_id, party_key=key, user_id=actor.id, score=score,
                    comment=comment, rated_at=now)
    db.session.add(rating)
    try:
        db.session.flush()
    except IntegrityError:  # the same party rating twice at once
        db.session.rollback()
        raise ConflictError(Msg("您已评价过该案件", "You have rated this case")) from None
    if is_bad(score):
        due = followup_due(court_date(now), is_working_day=is_working_day)
        followup = FollowUp(rating_id=rating.id, case_id=case.id, court_id=case.court_id, due_on=due,
                            status="open", created_at=now)
        db.session.add(followup)
        db.session.flush()
        notices.tell_all(notices.judges(case), actor, NoticeKind.FOLLOWUP_TASK,
                         Msg("差评回访：{n}，{d}前完成", "Follow up a bad rating: {n}, by {d_en}", n=case.number,
                             d=date_zh(due), d_en=due.isoformat()),
                         Msg("案件{n}的当事人给出{s}星评价：{c}\n请于{d}前回访并记录处理情况。",
                             "A party of case {n} rated the service {s} stars: {c}\nFollow up and record what you "
                             "found by {d_en}.", n=case.number, s=score, c=comment or "—", d=date_zh(due),
                             d_en=due.isoformat()),
                         key=f"followup_task:{followup.id}", now=now, case_id=case.id)
        remind("bad_rating", followup, now=now)
    db.session.commit()
    return rating


@use_case
def complete_followup(followup_id: int, *, actor: User, note: str, now: datetime) -> FollowUp:
    followup = db.session.scalar(select(FollowUp).where(FollowUp.id == followup_id).with_for_update())
    if followup is None or not can(actor, Permission.CASE_MANAGE, followup.case):
        raise NotFoundError(Msg("回访任务不存在", "No such follow-up"))
    if followup.status == "done":
        raise ConflictError(Msg("该回访已完成", "This follow-up is done"))
    note = (note or "").strip()
    if not note:
        raise ServiceError(Msg("请记录回访情况", "Record what the follow-up found"), "note")
    followup.status, followup.note, followup.done_by_id, followup.done_at = "done", note[:4000], actor.id, now
    remind("followup_done", followup, now=now)
    db.session.commit()
    return followup


def followups(actor: User) -> list[FollowUp]:
    """The follow-ups of the judge's court, open ones first, by due day."""
    if actor.role != "judge":
        raise ForbiddenError(Msg("只有法官处理回访", "Only judges follow up ratings"))
    return list(db.session.scalars(select(FollowUp).where(FollowUp.court_id == actor.court_id)
                                   .order_by(FollowUp.status.desc(), FollowUp.due_on, FollowUp.id)))


def rating_figures(court_id: int, first: date, last: date) -> dict:
    """``satisfaction_rate`` and ``followup_rate`` of the ratings given in the period (ratios,
    4 places; None without ratings / bad ratings)."""
    start, end = _utc_bounds(first, last)
    rows = db.session.execute(
        select(Rating.score, FollowUp.status).outerjoin(FollowUp, FollowUp.rating_id == Rating.id)
        .where(Rating.court_id == court_id, Rating.rated_at >= start, Rating.rated_at < end)).all()
    satisfied = satisfaction_rate(score for score, _ in rows)
    followed = followup_rate(status == "done" for score, status in rows if is_bad(score))
    return {"satisfaction_rate": None if satisfied is None else round(float(satisfied), 4),
            "followup_rate": None if followed is None else round(float(followed), 4)}


@dataclass(frozen=True)
class RatingPage:
    case: Case
    mine: Rating | None
    can_rate: bool


def rating_page(user: User, case_id: int) -> RatingPage:
    case = db.session.get(Case, case_id)
    if case is None or not can(user, Permission.CASE_VIEW, case):
        raise NotFoundError(Msg("案件不存在", "No such case"))
    key = signer_key(user)
    mine = db.session.scalar(select(Rating).where(Rating.case_id == case.id, Rating.party_key == key)) if key else None
    return RatingPage(case, mine, key is not None and key in dict(case_parties(case)) and mine is None
                      and case.status == CaseStatus.CLOSED.value)
