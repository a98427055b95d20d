"""Who is told what as a delegation runs: accepted, declined (回避), the period run out.

Called inside the use-case's transaction, before its one commit (the outbox). The judge of
the case is told of a decline and of an ended period — or, when the case has no judge
yet, every active judge of its court; the claimant side is told of an acceptance (the
30 days start) and of the end; the respondent side of the end. The acting user is never
told of their own act. Each ``dedupe_key`` names the event and the recipient.
"""
from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace

from sqlalchemy import select

from app.extensions import db
from app.models import Case, Complaint, Mediator, NoticeKind, User
from app.notify.outbox import queue_notice
from app.services.case_notices import _about, _claimant_accounts, _day, _respondent_accounts
from mediation.messages import Msg


def _members(case: Case) -> list[Complaint]:
    return list(db.session.scalars(select(Complaint).where(Complaint.case_id == case.id)
                                   .order_by(Complaint.id)))


def _judges(case: Case, actor: User | None) -> list[User]:
    if case.judge_id is not None:
        judges = [db.session.get(User, case.judge_id)]
    else:
        judges = list(db.session.scalars(select(User).where(
            User.role == "judge", User.court_id == case.court_id).order_by(User.id)))
    return [j for j in judges if j is not None and j.active and (actor is None or j.id != actor.id)]


def accepted(case: Case, mediator: Mediator, last_day: date, *, actor: User, now: datetime) -> None:
    """The mediator accepted: the claimants learn who mediates and until when."""
    name = mediator.user.name
    stamp = int(now.timestamp())
    for user, _ in _claimant_accounts(_members(case), actor):
        body = Msg("调解员{name}已接受案件{n}的委派，调解期限自{start}起30日，"
                   "至{end}（经双方当事人同意，可以在期限届满前延长）。\n"
                   "调解员将与您联系，安排调解的时间和地点。",
                   "Mediator {name} accepted case {n}: the mediation runs 30 days from {start} to "
                   "{end} (the parties may agree to extend it before it ends).\n"
                   "The mediator will contact you to arrange the time and place.",
                   name=name, n=case.number, start=_day(now), end=_day(last_day))
        queue_notice(user=user, kind=NoticeKind.DELEGATION_ACCEPTED,
                     subject=Msg("案件{n}调解开始：调解员{name}",
                                 "Case {n}: mediation begins with mediator {name}",
                                 n=case.number, name=name), body=body,
                     dedupe_key=f"delegation_accepted:case:{case.id}:at:{stamp}:user:{user.id}",
                     now=now, case_id=case.id)


def declined(case: Case, mediator: Mediator, reason: str, *, actor: User, now: datetime) -> None:
    """The mediator declined (回避): the judge learns why and that the case is back in the pool."""
    due = case.response_due_at
    stamp = int(now.timestamp())
    for judge in _judges(case, actor):
        body = Msg("调解员{name}不接受案件{n}（{about}）的委派。\n"
                   "理由：{reason}\n"
                   "案件已退回待分派，请于{due}前另行分派调解员。",
                   "Mediator {name} does not accept case {n} ({about}).\n"
                   "Reason: {reason}\n"
                   "The case is back in the pool; please assign another mediator by {due}.",
                   name=mediator.user.name, n=case.number, about=_about(case), reason=reason,
                   due=_day(due) if due else Msg("3个工作日内", "within 3 working days"))
        queue_notice(user=judge, kind=NoticeKind.DELEGATION_DECLINED,
                     subject=Msg("委派被拒：{n}，请另行分派", "Delegation declined: {n}; assign again",
                                 n=case.number), body=body,
                     dedupe_key=f"delegation_declined:case:{case.id}:at:{stamp}:user:{judge.id}",
                     now=now, case_id=case.id)


def expired(case: Case, last_day: date, *, now: datetime) -> None:
    """The period ended without agreement or extension: parties and judge are told (art. 25)."""
    about = _about(case)
    key = f"mediation_expired:case:{case.id}:on:{last_day.isoformat()}"
    members = _members(case)
    nobody = SimpleNamespace(id=None)  # no actor: the rules ended it
    party_text = Msg("案件{n}（{about}）的调解期限已于{day}届满，未达成调解协议，"
                     "也未经双方当事人同意延长，调解终止（人民法院在线调解规则第二十五条）。\n"
                     "申请人可以申请转入诉讼（立案），也可以撤回申请；法院将与您联系。",
                     "The mediation period of case {n} ({about}) ended on {day} without an "
                     "agreement or an extension agreed by the parties: the mediation is over "
                     "(Online Mediation Rules of the People's Courts, art. 25).\n"
                     "The claimant may ask for the case to go to litigation or withdraw; the "
                     "court will contact you.", n=case.number, about=about, day=_day(last_day))
    told = [user for user, _ in _claimant_accounts(members, nobody)]
    told += [user for user, _ in _respondent_accounts(members, nobody)]
    for user in told:
        queue_notice(user=user, kind=NoticeKind.MEDIATION_EXPIRED,
                     subject=Msg("调解期限届满，调解终止：{n}", "Mediation period over, mediation ended: {n}",
                                 n=case.number), body=party_text,
                     dedupe_key=f"{key}:user:{user.id}", now=now, case_id=case.id)
    for judge in _judges(case, None):
        body = Msg("案件{n}（{about}）的调解期限已于{day}届满，调解终止，"
                   "案件已标记为“调解不成”。\n请决定转立案，或在申请人撤回后结案。",
                   "The mediation period of case {n} ({about}) ended on {day}; the mediation is "
                   "over and the case is marked “mediation failed”.\nPlease decide whether it "
                   "goes to litigation, or close it once the claimant withdraws.",
                   n=case.number, about=about, day=_day(last_day))
        queue_notice(user=judge, kind=NoticeKind.MEDIATION_EXPIRED,
                     subject=Msg("调解期限届满：{n}", "Mediation period over: {n}", n=case.number),
                     body=body,
                     dedupe_key=f"{key}:user:{judge.id}", now=now, case_id=case.id)
