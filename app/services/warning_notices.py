"""Warning notices (风险预警通知), commitments (承诺) and the blacklist (失信名单).

* A rise of a project's or developer's level (``app.services.early_warnings``) creates one
  ``WarningNotice`` per rise (unique on the change) and tells the developer's staff in their
  inbox and by e-mail (:func:`notices_for_rises`, inside the evaluation's transaction). Its
  PDF (kind ``warning_notice``) is rendered after the evaluation has committed
  (:func:`issue_notice_documents`, ``flask warnings evaluate`` runs both), so the nightly
  run's one transaction writes no files.
* The developer's staff acknowledge the notice, then answer it with a rectification plan
  and dated commitments; a judge of a court where the developer builds records each
  commitment kept or broken; a broken one counts towards the blacklist (3 due within 365
  days, ``risk.warnings``).
* A judge may also put a developer on the blacklist by decision, with a reason, and lift
  it. Whoever is on it — by decision or by the rule's count at the last evaluation — has
  its counter-guarantees refused (:func:`is_blacklisted`, asked by ``app.services.release_records``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, exists, false, select

from app.access import Permission, can
from app.extensions import db
from app.models import (
    BlacklistDecision, Commitment, Developer, Document, NoticeKind, Project, RiskLevelChange, RiskLevelRow,
    User, WarningNotice,
)
from app.notify.outbox import Queued, queue_notices
from app.services.errors import ConflictError, NotFoundError, ServiceError
from app.services.reminders import remind
from app.services.use_case import use_case
from mediation.lifecycle import court_date, date_zh
from mediation.messages import Msg

LEVEL_ZH = {"blue": "蓝色", "yellow": "黄色", "orange": "橙色", "red": "红色"}
#: Commitments one answer may carry; a plan is a few dated steps, not a schedule of hundreds.
MAX_COMMITMENTS = 10
PLAN_MAX = 5000


def notice_number(notice: WarningNotice) -> str:
    return f"（{court_date(notice.created_at).year}）预警{notice.id}号"


def _staff_of(developer_id: int) -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.developer_id == developer_id, User.role == "developer", User.active.is_(True)).order_by(User.id)))


def notices_for_rises(changes: list[RiskLevelChange], *, now: datetime) -> int:
    """A notice for each rise in ``changes`` (already flushed), told to the developer's staff.
    Part of the evaluation's transaction; the caller commits. A few statements whatever the
    number of rises — the notices inserted in batches, the staff's inbox and e-mail copies
    in one multi-row insert (the nightly run may raise thousands: BENCHMARKS.md)."""
    changes = [c for c in changes if c.warnings]  # a developer raised only by its projects: theirs say why
    project_ids = {c.project_id for c in changes if c.project_id is not None}
    projects = {pid: (developer_id, name) for pid, developer_id, name in db.session.execute(
        select(Project.id, Project.developer_id, Project.name).where(Project.id.in_(project_ids)))} \
        if project_ids else {}
    developer_ids = {projects[c.project_id][0] if c.project_id else c.developer_id for c in changes}
    staff: dict[int, list[User]] = {}
    if developer_ids:
        for user in db.session.scalars(select(User).where(
                User.developer_id.in_(developer_ids), User.role == "developer", User.active.is_(True))
                .order_by(User.id)):
            staff.setdefault(user.developer_id, []).append(user)
    told: list[Queued] = []
    for change in changes:
        if change.project_id is not None:
            developer_id, name = projects[change.project_id]
            about = Msg("“{name}”项目", "the project “{name}”", name=name)
        else:
            developer_id, about = change.developer_id, Msg("你公司", "your company")
        db.session.add(WarningNotice(developer_id=developer_id, project_id=change.project_id, change_id=change.id,
                                     level=change.to_level, warnings=change.warnings, created_at=now))
        facts = Msg("；".join(w["facts_zh"] for w in change.warnings),
                    "; ".join(w.get("facts_en") or w["facts_zh"] for w in change.warnings))
        subject = Msg("风险预警：{about}升至{level}预警，请签收并提交整改方案",
                      "Risk warning: {about} rose to {level_en}; acknowledge it and send a rectification plan",
                      about=about, level=LEVEL_ZH[change.to_level], level_en=change.to_level)
        body = facts + Msg("。请在平台签收预警通知，并提交整改方案及附日期的承诺。",
                           ". Acknowledge the warning notice on the platform and send a rectification plan "
                           "with dated commitments.")
        told += [Queued(user=user, kind=NoticeKind.WARNING_ISSUED, subject=subject, body=body,
                        dedupe_key=f"warning-rise:{change.id}:{user.id}") for user in staff.get(developer_id, ())]
    db.session.flush()  # the notices in one batch of inserts, then the staff's in one more
    queue_notices(told, now=now)
    return len(changes)


@use_case
def issue_notice_documents(*, now: datetime, limit: int = 500) -> int:
    """Render the PDF of every notice that has none yet (oldest first); each commits alone."""
    from app.documents.prevention import WarningNoticeData, render_warning_notice
    from app.services.documents import store_prevention_document

    pending = list(db.session.scalars(select(WarningNotice).where(~exists().where(
        Document.warning_notice_id == WarningNotice.id)).order_by(WarningNotice.id).limit(limit)))
    for notice in pending:
        developer = db.session.get(Developer, notice.developer_id)
        project = db.session.get(Project, notice.project_id) if notice.project_id else None
        court = project.court if project else _a_court_of(notice.developer_id)
        data = WarningNoticeData(
            court_name=court.name if court else "", number=notice_number(notice), developer_name=developer.name,
            subject_name=f"“{project.name}”项目" if project else developer.name,
            level_label=LEVEL_ZH[notice.level] + "预警",
            facts=tuple(w["facts_zh"] for w in notice.warnings), issued_on=court_date(notice.created_at))
        store_prevention_document(
            kind="warning_notice", title=f"风险预警通知书（{data.number}）",
            render=lambda data=data, **kw: render_warning_notice(data, **kw), developer_id=notice.developer_id,
            warning_notice_id=notice.id, now=now)
    return len(pending)


def _a_court_of(developer_id: int):
    project = db.session.scalar(select(Project).where(Project.developer_id == developer_id).order_by(Project.id).limit(1))
    return project.court if project else None


# --- Reading -------------------------------------------------------------------------------


def visible_notices(user: User, query: Select | None = None) -> Select:
    """The notices ``user`` may see: its company's (staff), those of developers building
    in the judge's court (judges), nothing for anyone else."""
    query = query if query is not None else select(WarningNotice)
    if can(user, Permission.RISK_VIEW):
        return query.where(WarningNotice.developer_id.in_(
            select(Project.developer_id).where(Project.court_id == user.court_id)))
    if getattr(user, "role", None) == "developer" and user.developer_id is not None:
        return query.where(WarningNotice.developer_id == user.developer_id)
    return query.where(false())


def list_notices(user: User, limit: int = 200) -> list[WarningNotice]:
    return list(db.session.scalars(visible_notices(user).order_by(
        WarningNotice.created_at.desc(), WarningNotice.id.desc()).limit(limit)))


def notice_for(user: User, notice_id: int) -> WarningNotice:
    notice = db.session.get(WarningNotice, notice_id)
    if notice is None or not can(user, Permission.WARNING_VIEW, notice):
        raise NotFoundError(Msg("预警通知不存在", "No such warning notice"))
    return notice


def notice_document(notice: WarningNotice) -> Document | None:
    return db.session.scalar(select(Document).where(Document.warning_notice_id == notice.id).limit(1))


def notice_state(notice: WarningNotice) -> str:
    if notice.answered_at is not None:
        return "answered"
    return "acknowledged" if notice.acknowledged_at is not None else "issued"


# --- The developer's side ------------------------------------------------------------------


def _own_notice(notice_id: int, actor: User) -> WarningNotice:
    notice = db.session.get(WarningNotice, notice_id, with_for_update=True)
    if notice is None or not can(actor, Permission.WARNING_RESPOND, notice):
        raise NotFoundError(Msg("预警通知不存在", "No such warning notice"))  # someone else's: as if absent
    return notice


@use_case
def acknowledge_notice(notice_id: int, *, actor: User, now: datetime) -> WarningNotice:
    """The developer's staff sign for the notice (签收); once."""
    notice = _own_notice(notice_id, actor)
    if notice.acknowledged_at is None:
        notice.acknowledged_at, notice.acknowledged_by_id = now, actor.id
        remind("warning_acknowledged", notice, now=now)
        db.session.commit()
    return notice


@dataclass(frozen=True)
class Promise:
    text: str
    due_on: date | None


@use_case
def answer_notice(notice_id: int, *, plan: str, promises: list[Promise], actor: User,
                  now: datetime) -> WarningNotice:
    """The rectification plan and its dated commitments; after the acknowledgement, once."""
    notice = _own_notice(notice_id, actor)
    if notice.acknowledged_at is None:
        raise ServiceError(Msg("请先签收预警通知", "Acknowledge the notice first"), "plan")
    if notice.answered_at is not None:
        raise ConflictError(Msg("已提交整改方案", "The plan has been sent already"))
    errors = []
    if not (plan or "").strip():
        errors.append({"field": "plan", "message": Msg("请填写整改方案", "Write the rectification plan")})
    elif len(plan) > PLAN_MAX:
        errors.append({"field": "plan", "message": Msg("整改方案不超过{n}字", "At most {n} characters", n=PLAN_MAX)})
    given = [p for p in promises if (p.text or "").strip() or p.due_on]
    if not given:
        errors.append({"field": "commitments", "message": Msg("请至少作出一项附日期的承诺",
                                                               "Make at least one dated commitment")})
    today = court_date(now)
    for i, promise in enumerate(given[:MAX_COMMITMENTS]):
        if not (promise.text or "").strip():
            errors.append({"field": f"commitments-{i}-text", "message": Msg("请写明承诺事项", "Say what you commit to")})
        if promise.due_on is None or promise.due_on <= today:
            errors.append({"field": f"commitments-{i}-due_on",
                           "message": Msg("承诺日期应晚于今天", "The date must be after today")})
    if len(given) > MAX_COMMITMENTS:
        errors.append({"field": "commitments", "message": Msg("最多{n}项承诺", "At most {n} commitments",
                                                               n=MAX_COMMITMENTS)})
    if errors:
        raise ServiceError(errors[0]["message"], errors[0]["field"], errors=errors)
    notice.plan, notice.answered_at, notice.answered_by_id = plan.strip(), now, actor.id
    for promise in given:
        db.session.add(Commitment(developer_id=notice.developer_id, project_id=notice.project_id, notice=notice,
                                  text=promise.text.strip(), due_on=promise.due_on, status="open", made_at=now))
    db.session.commit()
    return notice


# --- The court's side ----------------------------------------------------------------------


def commitment_for_court(user: User, commitment_id: int) -> Commitment:
    """A commitment a judge may record; someone else's is not found."""
    commitment = db.session.get(Commitment, commitment_id)
    if commitment is None or not can(user, Permission.COMMITMENT_SETTLE, commitment):
        raise NotFoundError(Msg("承诺不存在", "No such commitment"))
    return commitment


@use_case
def settle_commitment(commitment_id: int, *, kept: bool, note: str, actor: User, now: datetime) -> Commitment:
    """A judge records a commitment kept or broken, once its day has come."""
    commitment = db.session.get(Commitment, commitment_id, with_for_update=True)
    if commitment is None or not can(actor, Permission.COMMITMENT_SETTLE, commitment):
        raise NotFoundError(Msg("承诺不存在", "No such commitment"))
    if commitment.status != "open":
        raise ConflictError(Msg("该承诺已记录为{s}", "The commitment is recorded as {s} already",
                                s={"kept": "已履行", "broken": "未履行"}[commitment.status]))
    if not kept and court_date(now) <= commitment.due_on:
        raise ServiceError(Msg("承诺期限{day}届满前不能记录为未履行", "Not broken before its day, {iso}",
                               day=date_zh(commitment.due_on), iso=commitment.due_on.isoformat()), "kept")
    commitment.status = "kept" if kept else "broken"
    commitment.settled_at, commitment.settled_by_id = now, actor.id
    commitment.settle_note = (note or "").strip() or None
    db.session.commit()
    return commitment


@use_case
def blacklist_developer(developer_id: int, *, reason: str, actor: User, now: datetime) -> BlacklistDecision:
    """A judge's decision to put a developer on the 失信名单, with the reason."""
    if not can(actor, Permission.BLACKLIST_DECIDE) or not can(
            actor, Permission.WARNING_VIEW, _DeveloperRef(developer_id)):
        raise NotFoundError(Msg("开发企业不存在", "No such developer"))
    if not (reason or "").strip():
        raise ServiceError(Msg("请写明列入失信名单的理由", "Give the reason"), "reason")
    current = db.session.scalar(select(BlacklistDecision).where(
        BlacklistDecision.developer_id == developer_id, BlacklistDecision.lifted_at.is_(None)).limit(1))
    if current is not None:
        raise ConflictError(Msg("该企业已在失信名单上", "The developer is on the blacklist already"))
    decision = BlacklistDecision(developer_id=developer_id, decided_at=now, decided_by_id=actor.id,
                                 reason=reason.strip())
    db.session.add(decision)
    db.session.commit()
    return decision


@use_case
def lift_blacklist(developer_id: int, *, actor: User, now: datetime) -> None:
    if not can(actor, Permission.BLACKLIST_DECIDE) or not can(
            actor, Permission.WARNING_VIEW, _DeveloperRef(developer_id)):
        raise NotFoundError(Msg("开发企业不存在", "No such developer"))
    for decision in db.session.scalars(select(BlacklistDecision).where(
            BlacklistDecision.developer_id == developer_id, BlacklistDecision.lifted_at.is_(None))):
        decision.lifted_at = now
    db.session.commit()


@dataclass(frozen=True)
class _DeveloperRef:
    """A developer as an object of ``app.access`` (what concerns the developer as a whole)."""

    developer_id: int


def developer_for(user: User, developer_id: int) -> Developer:
    developer = db.session.get(Developer, developer_id)
    if developer is None or not can(user, Permission.WARNING_VIEW, _DeveloperRef(developer_id)):
        raise NotFoundError(Msg("开发企业不存在", "No such developer"))
    return developer


def is_blacklisted(developer_id: int) -> bool:
    """On the 失信名单: a judge's decision not lifted, or the rule's count at the last evaluation."""
    decided = db.session.scalar(select(BlacklistDecision.id).where(
        BlacklistDecision.developer_id == developer_id, BlacklistDecision.lifted_at.is_(None)).limit(1))
    if decided is not None:
        return True
    return bool(db.session.scalar(select(RiskLevelRow.blacklisted).where(RiskLevelRow.developer_id == developer_id)))


def blacklist_decisions(developer_id: int) -> list[BlacklistDecision]:
    return list(db.session.scalars(select(BlacklistDecision).where(
        BlacklistDecision.developer_id == developer_id).order_by(BlacklistDecision.decided_at.desc())))


__all__ = ["Promise", "acknowledge_notice", "answer_notice", "blacklist_developer", "developer_for",
           "is_blacklisted", "issue_notice_documents", "lift_blacklist", "list_notices", "notice_for",
           "notices_for_rises", "settle_commitment", "visible_notices"]
