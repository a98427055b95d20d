"""Compliance inquiries: a judge issues one, the developer answers each question, the
judge reviews the answer (compliant · rectify by a date · non-compliant) with a reason.

Each use-case checks who may act (the judges of the project's court; the developer's own
staff), commits once, and rolls back when refused. The deadline is counted in working days
with the court's calendar (the clerk's notices, the package, the 预计 estimate) and stored
with whether it is an estimate. docs/early-warnings.md shows how the rules read them.
"""
from __future__ import annotations

from datetime import date, datetime

from app.extensions import db
from app.models import ComplianceInquiry, InquiryQuestion, InquiryReview, Project, User
from app.services.errors import ConflictError, ForbiddenError, NotFoundError, ServiceError
from app.services.holidays import court_calendar
from app.services.reminders import remind
from app.services.use_case import use_case
from mediation.lifecycle import court_date, date_zh
from mediation.messages import Msg
from mediation.roles import Role
from risk.inquiries import LETTER_TYPES, MAX_WORKING_DAYS, MIN_WORKING_DAYS, answer_deadline


def _judge_of(actor: User, court_id: int) -> None:
    if actor.role != Role.JUDGE or actor.court_id != court_id:
        raise ForbiddenError(Msg("只有本院法官可以办理合规性函询",
                                 "Only a judge of the court handles its compliance inquiries"))


def _inquiry(inquiry_id: int) -> ComplianceInquiry:
    inquiry = db.session.get(ComplianceInquiry, inquiry_id, with_for_update=True)
    if inquiry is None:
        raise NotFoundError(Msg("函询不存在", "No such inquiry"))
    return inquiry


def can_view_inquiry(user: User, inquiry: ComplianceInquiry) -> bool:
    """A judge of its court, or the staff of the developer it was sent to."""
    if user.role == Role.JUDGE:
        return user.court_id == inquiry.court_id
    return user.role == Role.DEVELOPER and user.developer_id == inquiry.developer_id


@use_case
def issue_inquiry(project_id: int, *, letter_type: str, working_days: int,
                  questions: list[str] | None = None, actor: User, now: datetime) -> ComplianceInquiry:
    """Send a developer a letter about one of its projects, due in ``working_days``."""
    project = db.session.get(Project, project_id)
    if project is None:
        raise NotFoundError(Msg("项目不存在", "No such project"))
    _judge_of(actor, project.court_id)
    kind = LETTER_TYPES.get(letter_type)
    if kind is None:
        raise ServiceError(Msg("请选择函询类型", "Choose the kind of letter"), "letter_type")
    if isinstance(working_days, bool) or not isinstance(working_days, int) \
            or not MIN_WORKING_DAYS <= working_days <= MAX_WORKING_DAYS:
        raise ServiceError(Msg("答复期限应为{a}至{b}个工作日", "The answer is due in {a} to {b} working days",
                               a=MIN_WORKING_DAYS, b=MAX_WORKING_DAYS), "working_days")
    texts = [q.strip() for q in (kind.questions if questions is None else questions) if q and q.strip()]
    if not texts:
        raise ServiceError(Msg("请至少提出一个问题", "Ask at least one question"), "questions")
    deadline = answer_deadline(court_date(now), working_days, court_calendar())
    inquiry = ComplianceInquiry(
        court_id=project.court_id, developer_id=project.developer_id, project_id=project.id,
        letter_type=kind.code, issued_at=now, issued_by_id=actor.id,
        deadline_working_days=working_days, deadline_on=deadline.on,
        deadline_estimated=deadline.is_estimate,
        questions=[InquiryQuestion(position=i, text=text) for i, text in enumerate(texts, 1)])
    db.session.add(inquiry)
    remind("inquiry_issued", inquiry, now=now)
    db.session.commit()
    return inquiry


@use_case
def answer_inquiry(inquiry_id: int, answers: dict[int, str], *, actor: User,
                   now: datetime) -> ComplianceInquiry:
    """The developer answers every question at once; an answer cannot be changed later."""
    inquiry = _inquiry(inquiry_id)
    if actor.role != Role.DEVELOPER or actor.developer_id != inquiry.developer_id:
        raise NotFoundError(Msg("函询不存在", "No such inquiry"))  # someone else's inquiry: as if it did not exist
    if inquiry.answered_at is not None:
        raise ConflictError(Msg("该函询已答复", "The inquiry has been answered already"))
    for question in inquiry.questions:
        text = (answers.get(question.position) or "").strip()
        if not text:
            raise ServiceError(Msg("请回答第{n}个问题", "Answer question {n}", n=question.position),
                               f"answer_{question.position}")
        question.answer = text
    inquiry.answered_at = now
    remind("inquiry_answered", inquiry, now=now)
    db.session.commit()
    return inquiry


@use_case
def review_inquiry(inquiry_id: int, *, review: str, reason: str, rectify_by: date | None = None,
                   actor: User, now: datetime) -> ComplianceInquiry:
    """The judge's review of the answer, with a reason; ``rectify`` needs a date to come."""
    inquiry = _inquiry(inquiry_id)
    _judge_of(actor, inquiry.court_id)
    if inquiry.answered_at is None:
        raise ServiceError(Msg("开发企业尚未答复，不能审查", "The developer has not answered yet"), "review")
    if inquiry.review is not None:
        raise ConflictError(Msg("该答复已审查", "The answer has been reviewed already"))
    if review not in {r.value for r in InquiryReview}:
        raise ServiceError(Msg("请选择审查结论", "Choose the review's conclusion"), "review")
    if not (reason or "").strip():
        raise ServiceError(Msg("请写明审查理由", "Give the reason for the review"), "reason")
    if review == InquiryReview.RECTIFY.value:
        if rectify_by is None or rectify_by <= court_date(now):
            raise ServiceError(Msg("整改期限应晚于今天", "The rectification date must be after today"),
                                   "rectify_by")
    else:
        rectify_by = None
    inquiry.review, inquiry.review_reason = review, reason.strip()
    inquiry.reviewed_at, inquiry.reviewed_by_id, inquiry.rectify_by = now, actor.id, rectify_by
    db.session.commit()
    return inquiry


@use_case
def record_rectification(inquiry_id: int, *, rectified_on: date, actor: User,
                         now: datetime) -> ComplianceInquiry:
    """The judge records the day the developer rectified what the review asked."""
    inquiry = _inquiry(inquiry_id)
    _judge_of(actor, inquiry.court_id)
    if inquiry.review != InquiryReview.RECTIFY.value:
        raise ServiceError(Msg("该函询未要求整改", "The review asked for no rectification"), "rectified_on")
    if inquiry.rectified_on is not None:
        raise ConflictError(Msg("已于{day}记录整改", "Rectification was recorded on {iso}",
                                day=date_zh(inquiry.rectified_on), iso=inquiry.rectified_on.isoformat()))
    if rectified_on > court_date(now):
        raise ServiceError(Msg("整改日期不能晚于今天", "The rectification date cannot be after today"),
                           "rectified_on")
    inquiry.rectified_on = rectified_on
    db.session.commit()
    return inquiry
