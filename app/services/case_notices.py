"""Who is told what when a judge decides: the notices of triage and assignment.

Called by ``app.services.triage`` and ``app.services.cases`` inside the use-case's transaction, before its commit
(docs/adding-a-feature.md §3): the notices are saved with the decision or not at all.

Who is told — parties with an account, never the acting judge, never anyone else:

- **the claimant side**: the homeowner account of the complaint's claimant (a person),
  or the staff of the claimant company (a developer's own dispute). A complaint referred
  by an agency was entered by court staff; they are not its filer and are not told.
- **the respondent side**, when a case is registered against it: the staff of the
  respondent developer, or the homeowner account of the respondent person. They learn the
  case number, the project and the type of dispute — no claimant's name, unit or ID.
- **the mediator** a case is assigned to.

Every text is a ``Msg``: Simplified Chinese with its English; the inbox shows it and the
e-mail repeats it, each in the recipient's language (app.notify.render).
Each notice's ``dedupe_key`` names the decision and the recipient, so queueing it again
stores nothing new.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import and_, or_, select

from app.extensions import db
from app.models import Case, Complaint, Developer, Mediator, NoticeKind, Project, Role, User
from app.notify.outbox import queue_notice
from mediation.disputes import DisputeType
from mediation.groups import REPRESENTATIVES_RANGE
from mediation.lifecycle import court_date, date_zh
from mediation.messages import Msg

#: A party, as the recipient lookups know it: ("person", id) or ("developer", id).
PartyKey = tuple[str, int]


# --- Who ---------------------------------------------------------------------------------


def _claimant(complaint) -> PartyKey | None:
    if complaint.claimant_person_id is not None:
        return ("person", complaint.claimant_person_id)
    if complaint.claimant_developer_id is not None:
        return ("developer", complaint.claimant_developer_id)
    return None


def _respondent(complaint) -> PartyKey | None:
    if complaint.respondent_person_id is not None:
        return ("person", complaint.respondent_person_id)
    if complaint.respondent_developer_id is not None:
        return ("developer", complaint.respondent_developer_id)
    return None


def _accounts(parties: Iterable[PartyKey]) -> dict[PartyKey, list[User]]:
    """The active accounts that speak for each party: a person's homeowner account, a
    company's staff. One query for all of them."""
    parties = set(p for p in parties if p is not None)
    people = {pid for kind, pid in parties if kind == "person"}
    companies = {did for kind, did in parties if kind == "developer"}
    found: dict[PartyKey, list[User]] = {p: [] for p in parties}
    if not parties:
        return found
    conditions = []
    if people:
        conditions.append(and_(User.role == Role.HOMEOWNER, User.person_id.in_(people)))
    if companies:
        conditions.append(and_(User.role == Role.DEVELOPER, User.developer_id.in_(companies)))
    for user in db.session.scalars(
            select(User).where(User.active.is_(True), or_(*conditions)).order_by(User.id)):
        key = (("person", user.person_id) if user.role == Role.HOMEOWNER
               else ("developer", user.developer_id))
        found[key].append(user)
    return found


def _claimant_accounts(complaints, actor: User) -> list[tuple[User, list]]:
    """Each claimant account with the complaints it is told about, in a stable order."""
    complaints = list(complaints)
    accounts = _accounts(_claimant(c) for c in complaints)
    told: dict[int, tuple[User, list]] = {}
    for complaint in complaints:
        for user in accounts.get(_claimant(complaint), []):
            if user.id != actor.id:
                told.setdefault(user.id, (user, []))[1].append(complaint)
    return sorted(told.values(), key=lambda pair: pair[0].id)


def _respondent_accounts(complaints, actor: User) -> list[tuple[User, PartyKey]]:
    complaints = list(complaints)
    accounts = _accounts(_respondent(c) for c in complaints)
    told: dict[int, tuple[User, PartyKey]] = {}
    for complaint in complaints:
        key = _respondent(complaint)
        for user in accounts.get(key, []):
            if user.id != actor.id:
                told.setdefault(user.id, (user, key))
    return sorted(told.values(), key=lambda pair: pair[0].id)


def complaint_rows(case_ids: Iterable[int]) -> list:
    """The complaints of some cases, as light rows (before they move elsewhere)."""
    return list(db.session.execute(
        select(Complaint.id, Complaint.case_id, Complaint.receipt_no,
               Complaint.claimant_person_id, Complaint.claimant_developer_id,
               Complaint.respondent_person_id, Complaint.respondent_developer_id)
        .where(Complaint.case_id.in_(list(case_ids))).order_by(Complaint.id)).all())


# --- Words -------------------------------------------------------------------------------


def _day(moment: datetime | date) -> Msg:
    day = court_date(moment)
    return Msg(date_zh(day), day.isoformat())


def receipts_text(complaints) -> Msg:
    """``TS…、TS…等12件``: the first five receipt numbers and how many there are."""
    numbers = [c.receipt_no for c in complaints]
    if len(numbers) > 5:
        return Msg("{shown}等{n}件", "{shown_en} … ({n} in all)", shown="、".join(numbers[:5]),
                   shown_en=", ".join(numbers[:5]), n=len(numbers))
    return Msg("、".join(numbers), ", ".join(numbers))


def _about(case: Case) -> Msg:
    """“项目“椰风海韵”的逾期交房纠纷” — what a case is about, without anyone's name."""
    project = db.session.get(Project, case.project_id)
    return Msg("项目“{p}”的{t}纠纷", "the dispute about project “{p}” ({t})", p=project.name,
               t=DisputeType.msg(case.dispute_type))


def _claimant_count(case: Case) -> int:
    rows = db.session.execute(select(Complaint.claimant_person_id, Complaint.claimant_developer_id)
                              .where(Complaint.case_id == case.id)).all()
    return len(set(rows))


def _group_note(case: Case) -> str:
    if not case.is_group:
        return Msg("", "")
    low, high = REPRESENTATIVES_RANGE
    return Msg("\n本案为群体性纠纷，申请人可以推选{low}至{high}名代表人参加调解；"
               "不愿参加群体案件的，可以在案件页面选择退出、单独处理。",
               "\nThis is a group dispute: the claimants may elect {low} to {high} representatives "
               "to take part in the mediation; a claimant who does not wish to be part of the group "
               "case can leave it on the case page and be handled alone.", low=low, high=high)


# --- Triage ------------------------------------------------------------------------------


def _tell_respondents(complaints, case: Case, *, actor: User, now: datetime) -> None:
    """A case was registered against the respondent: number, project, type — no claimant data."""
    about = _about(case)
    count = _claimant_count(case)
    for user, (kind, _party) in _respondent_accounts(complaints, actor):
        if kind == "developer":
            body = Msg("巡回法庭已受理涉及贵公司{about}（申请人{count}名），"
                       "登记为诉前调解案件{number}。\n"
                       "请登录平台查看案件，准备答辩意见和相关材料；分派调解员后，调解员将与贵公司联系。",
                       "The circuit court has accepted {about}, which concerns your company "
                       "({count} claimant(s)), as pre-litigation mediation case {number}.\n"
                       "Log in to see the case and prepare your response and documents; once a "
                       "mediator is assigned, they will contact your company.",
                       about=about, count=count, number=case.number)
        else:
            developers = {c.claimant_developer_id for c in complaints
                          if c.respondent_person_id == user.person_id and c.claimant_developer_id}
            names = "、".join(db.session.get(Developer, d).name for d in sorted(developers))
            names = Msg(names, names) if names else Msg("对方当事人", "The other party")
            body = Msg("{names}对您提出的{about}，已由巡回法庭受理，登记为诉前调解案件{number}。\n"
                       "请登录平台查看案件；分派调解员后，调解员将与您联系。",
                       "{names} brought {about} against you; the circuit court has accepted it as "
                       "pre-litigation mediation case {number}.\n"
                       "Log in to see the case; once a mediator is assigned, they will contact you.",
                       names=names, about=about, number=case.number)
        queue_notice(user=user, kind=NoticeKind.CASE_AGAINST_YOU,
                     subject=Msg("新受理案件：{n}", "New case: {n}", n=case.number), body=body,
                     dedupe_key=f"case_against_you:case:{case.id}:user:{user.id}", now=now,
                     case_id=case.id)


def complaint_accepted(complaint: Complaint, case: Case, *, actor: User, now: datetime) -> None:
    """Tell the claimant their complaint was accepted, and the respondent a case was registered."""
    about = _about(case)
    for user, _ in _claimant_accounts([complaint], actor):
        body = Msg("您于{day}提交的投诉（受理号{receipt}，{about}）"
                   "经巡回法庭审查，已予受理，登记为诉前调解案件{number}。\n"
                   "法院将分派调解员，调解期限自调解员接受委派之日起30日；请留意后续通知。",
                   "Your complaint of {day} (receipt {receipt}, {about}) was reviewed by the "
                   "circuit court and accepted as pre-litigation mediation case {number}.\n"
                   "The court will assign a mediator; the mediation lasts 30 days from the day "
                   "the mediator accepts. Watch for further notices.",
                   day=_day(complaint.submitted_at), receipt=complaint.receipt_no, about=about,
                   number=case.number)
        queue_notice(user=user, kind=NoticeKind.COMPLAINT_ACCEPTED,
                     subject=Msg("投诉已受理：{n}", "Complaint accepted: {n}", n=case.number),
                     body=body,
                     dedupe_key=f"complaint_accepted:complaint:{complaint.id}:user:{user.id}",
                     now=now, case_id=case.id, complaint_id=complaint.id)
    _tell_respondents([complaint], case, actor=actor, now=now)


def complaint_rejected(complaint: Complaint, *, actor: User, now: datetime) -> None:
    """Tell the claimant their complaint was not accepted, and why."""
    project = db.session.get(Project, complaint.project_id)
    for user, _ in _claimant_accounts([complaint], actor):
        body = Msg("您于{day}提交的投诉（受理号{receipt}，"
                   "项目“{project}”的{kind}纠纷）经巡回法庭审查，不予受理。\n"
                   "理由：{reason}\n"
                   "如情况有变化或有新的证据，可以重新提交投诉。",
                   "Your complaint of {day} (receipt {receipt}, the dispute about project "
                   "“{project}” ({kind})) was reviewed by the circuit court and not accepted.\n"
                   "Reason: {reason}\n"
                   "If things change or you have new evidence, you can file again.",
                   day=_day(complaint.submitted_at), receipt=complaint.receipt_no,
                   project=project.name, kind=DisputeType.msg(complaint.dispute_type),
                   reason=complaint.decision_reason)
        queue_notice(user=user, kind=NoticeKind.COMPLAINT_REJECTED,
                     subject=Msg("投诉未予受理：{r}", "Complaint not accepted: {r}",
                                 r=complaint.receipt_no), body=body,
                     dedupe_key=f"complaint_rejected:complaint:{complaint.id}:user:{user.id}",
                     now=now, complaint_id=complaint.id)


def complaints_merged(complaints: list[Complaint], case: Case, *, actor: User, now: datetime,
                      new_case: bool) -> None:
    """Tell each claimant their complaints were gathered into ``case`` (a group case, often);
    when the case is new, tell the respondent it was registered."""
    about = _about(case)
    count = _claimant_count(case)
    for user, own in _claimant_accounts(complaints, actor):
        body = Msg("您的投诉（受理号{receipts}）已与{about}的其他投诉合并，"
                   "由诉前调解案件{number}统一调解（申请人共{count}名）。",
                   "Your complaint (receipt {receipts}) was joined with the other complaints of "
                   "{about} and is mediated together as pre-litigation mediation case {number} "
                   "({count} claimants in all).", receipts=receipts_text(own), about=about,
                   number=case.number, count=count) + _group_note(case)
        first = min(c.id for c in own)
        queue_notice(user=user, kind=NoticeKind.COMPLAINT_MERGED,
                     subject=Msg("投诉已并入案件：{n}", "Complaint joined to case {n}",
                                 n=case.number), body=body,
                     dedupe_key=f"complaint_merged:case:{case.id}:complaint:{first}:user:{user.id}",
                     now=now, case_id=case.id, complaint_id=first if len(own) == 1 else None)
    if new_case:
        _tell_respondents(complaints, case, actor=actor, now=now)


def cases_merged(moved: list, numbers: dict[int, str], target: Case, *, actor: User,
                 now: datetime) -> None:
    """Tell the claimants of the absorbed cases (``moved``: their complaint rows, taken before
    the merge; ``numbers``: case id → number) that their case goes on under ``target``."""
    about = _about(target)
    for user, own in _claimant_accounts(moved, actor):
        for case_id in sorted({c.case_id for c in own}):
            body = Msg("您的案件{old}已与{about}的案件{number}合并（并案），"
                       "今后由案件{number}统一调解，原案号不再使用。",
                       "Your case {old} was merged with case {number} ({about}); from now on it "
                       "is mediated as case {number} and the old number is no longer used.",
                       old=numbers[case_id], about=about, number=target.number) + _group_note(target)
            queue_notice(user=user, kind=NoticeKind.CASE_MERGED,
                         subject=Msg("案件已并入{n}", "Case merged into {n}", n=target.number),
                         body=body,
                         dedupe_key=f"case_merged:case:{case_id}:into:{target.id}:user:{user.id}",
                         now=now, case_id=target.id)


def mediator_assigned(case: Case, mediator: Mediator, answer_by: date, *, actor: User,
                      now: datetime) -> None:
    """Tell the claimants who was delegated their case, and the mediator their new case and
    the day by which to accept or decline (人民法院在线调解规则 art. 12)."""
    name = mediator.user.name
    stamp = int(now.timestamp())
    members = list(db.session.scalars(select(Complaint).where(Complaint.case_id == case.id)
                                      .order_by(Complaint.id)))
    for user, _ in _claimant_accounts(members, actor):
        body = Msg("您的案件{number}已委派调解员{name}调解。调解员接受委派后，"
                   "调解期限自接受之日起30日（经双方当事人同意，可以在期限届满前延长）。\n"
                   "调解员将与您联系，安排调解的时间和地点。",
                   "Your case {number} was delegated to mediator {name}. Once the mediator "
                   "accepts, the mediation lasts 30 days from that day (the parties may agree to "
                   "extend it before it ends).\n"
                   "The mediator will contact you to arrange the time and place.",
                   number=case.number, name=name)
        queue_notice(user=user, kind=NoticeKind.MEDIATOR_ASSIGNED,
                     subject=Msg("案件{number}已分派调解员{name}",
                                 "Case {number}: mediator {name} assigned", number=case.number,
                                 name=name), body=body,
                     dedupe_key=f"mediator_assigned:case:{case.id}:mediator:{mediator.id}:at:{stamp}"
                                f":user:{user.id}", now=now, case_id=case.id)
    mediator_user = mediator.user
    if mediator_user.active and mediator_user.id != actor.id:
        body = Msg("法官{judge}将案件{number}（{about}，申请人{count}名）"
                   "委派给您调解。\n请于{day}前接受委派；与当事人有利害关系的，应当申请回避并说明理由。"
                   "调解期限自您接受之日起30日。",
                   "Judge {judge} delegated case {number} ({about}, {count} claimant(s)) to you.\n"
                   "Please accept by {day}; if you have an interest in a party, recuse yourself "
                   "and say why. The mediation lasts 30 days from the day you accept.",
                   judge=actor.name, number=case.number, about=_about(case),
                   count=_claimant_count(case), day=_day(answer_by))
        queue_notice(user=mediator_user, kind=NoticeKind.MEDIATOR_ASSIGNED,
                     subject=Msg("新分派案件：{n}", "New case for you: {n}", n=case.number),
                     body=body,
                     dedupe_key=f"mediator_assigned:case:{case.id}:mediator:{mediator.id}:at:{stamp}"
                                f":user:{mediator_user.id}", now=now, case_id=case.id)
