"""Compliance inquiries: a judge issues one, the developer answers each question, the
judge reviews the answer (compliant · rectify by a date · non-compliant) with a reason.

Each use-case checks who may act (the judges of the project's court; the developer's own
staff), commits once, and rolls back when refused. The deadline is counted in working days
with the court's calendar (the clerk's notices, the package, the 预计 estimate) and stored
with whether it is an estimate. docs/early-warnings.md shows how the rules read them.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Select, false, select
from sqlalchemy.orm import selectinload

from app.access import Permission, can
from app.extensions import db
from app.models import ComplianceInquiry, Document, InquiryQuestion, InquiryReview, NoticeKind, Project, User
from app.notify.outbox import queue_notice
from app.services.errors import ConflictError, ForbiddenError, NotFoundError, ServiceError
from app.services.holidays import court_calendar
from app.services.reminders import remind
from app.services.use_case import use_case
from mediation.lifecycle import court_date, date_zh
from mediation.messages import Msg
from risk.inquiries import (
    LETTER_TYPES, MAX_QUESTIONS, MAX_WORKING_DAYS, MIN_WORKING_DAYS, QUESTION_MAX, answer_deadline,
)

#: Reviews from the mildest to the strictest: the inquiry's review is its answers' strictest.
REVIEW_ORDER = (InquiryReview.COMPLIANT.value, InquiryReview.RECTIFY.value, InquiryReview.NON_COMPLIANT.value)
#: Files a developer may attach to one answer.
MAX_FILES_PER_ANSWER = 10


def inquiry_number(inquiry: ComplianceInquiry) -> str:
    """The letter's number in the court's style: （2026）琼9005函12号."""
    return f"（{court_date(inquiry.issued_at).year}）{inquiry.court.code}函{inquiry.id}号"


def inquiry_state(inquiry: ComplianceInquiry, today: date) -> str:
    """Where the inquiry stands: awaiting · overdue · answered · compliant · rectify ·
    rectify_overdue · rectified · non_compliant (the lists and the API show it)."""
    if inquiry.answered_at is None:
        return "overdue" if today > inquiry.deadline_on else "awaiting"
    if inquiry.review is None:
        return "answered"
    if inquiry.review == InquiryReview.RECTIFY.value:
        if inquiry.rectified_on is not None:
            return "rectified"
        return "rectify_overdue" if today > inquiry.rectify_by else "rectify"
    return inquiry.review


def visible_inquiries(user: User, query: Select | None = None) -> Select:
    """Restrict a ``select(ComplianceInquiry)`` to what ``user`` may see: a judge the
    court's, developer staff their company's, nobody else anything (``Permission.INQUIRY_VIEW``)."""
    query = query if query is not None else select(ComplianceInquiry)
    if can(user, Permission.RISK_VIEW):
        return query.where(ComplianceInquiry.court_id == user.court_id)
    if getattr(user, "role", None) == "developer" and user.developer_id is not None:
        return query.where(ComplianceInquiry.developer_id == user.developer_id)
    return query.where(false())


def list_inquiries(user: User, *, project_id: int | None = None, developer_id: int | None = None,
                   limit: int = 200) -> list[ComplianceInquiry]:
    """The inquiries ``user`` may see, newest first."""
    query = visible_inquiries(user).options(
        selectinload(ComplianceInquiry.questions).selectinload(InquiryQuestion.attachments),
        selectinload(ComplianceInquiry.project), selectinload(ComplianceInquiry.court))
    if project_id is not None:
        query = query.where(ComplianceInquiry.project_id == project_id)
    if developer_id is not None:
        query = query.where(ComplianceInquiry.developer_id == developer_id)
    return list(db.session.scalars(query.order_by(ComplianceInquiry.issued_at.desc(),
                                                  ComplianceInquiry.id.desc()).limit(limit)))


def inquiry_for(user: User, inquiry_id: int) -> ComplianceInquiry:
    """One inquiry ``user`` may see; someone else's is not found."""
    inquiry = db.session.get(ComplianceInquiry, inquiry_id)
    if inquiry is None or not can(user, Permission.INQUIRY_VIEW, inquiry):
        raise NotFoundError(Msg("函询不存在", "No such inquiry"))
    return inquiry


def inquiry_letter(inquiry: ComplianceInquiry) -> Document | None:
    return db.session.scalar(select(Document).where(Document.inquiry_id == inquiry.id,
                                                    Document.kind == "inquiry_letter").limit(1))


def _staff_of(developer_id: int) -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.developer_id == developer_id, User.role == "developer", User.active.is_(True)).order_by(User.id)))


def _letter(inquiry: ComplianceInquiry, project: Project, *, actor: User, now: datetime) -> Document:
    from app.documents.prevention import InquiryLetterData, render_inquiry_letter
    from app.services.documents import store_prevention_document

    kind = LETTER_TYPES[inquiry.letter_type]
    data = InquiryLetterData(
        court_name=inquiry.court.name, number=inquiry_number(inquiry),
        developer_name=project.developer.name, developer_uscc=project.developer.uscc,
        project_name=project.name, letter_label=kind.label_zh, issued_on=court_date(now),
        deadline_on=inquiry.deadline_on, working_days=inquiry.deadline_working_days,
        deadline_estimated=inquiry.deadline_estimated, questions=tuple(q.text for q in inquiry.questions))
    return store_prevention_document(
        kind="inquiry_letter", title=f"合规性函询函（{data.number}）",
        render=lambda **kw: render_inquiry_letter(data, **kw), developer_id=inquiry.developer_id,
        actor_id=actor.id, inquiry_id=inquiry.id, now=now)


def _judge_of(actor: User, obj, permission: Permission = Permission.INQUIRY_REVIEW) -> None:
    if not can(actor, permission, obj):
        raise ForbiddenError(Msg("只有本院法官可以办理合规性函询",
                                 "Only a judge of the court handles its compliance inquiries"))


def _inquiry(inquiry_id: int) -> ComplianceInquiry:
    inquiry = db.session.get(ComplianceInquiry, inquiry_id, with_for_update=True)
    if inquiry is None:
        raise NotFoundError(Msg("函询不存在", "No such inquiry"))
    return inquiry


@use_case
def issue_inquiry(project_id: int, *, letter_type: str, working_days: int,
                  questions: list[str] | None = None, actor: User, now: datetime) -> ComplianceInquiry:
    """Send a developer a letter about one of its projects, due in ``working_days``."""
    project = db.session.get(Project, project_id)
    if project is None:
        raise NotFoundError(Msg("项目不存在", "No such project"))
    _judge_of(actor, project, Permission.INQUIRY_ISSUE)
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
    if len(texts) > MAX_QUESTIONS:
        raise ServiceError(Msg("一份函询最多{n}个问题（现有{m}个）", "At most {n} questions a letter ({m} now)",
                               n=MAX_QUESTIONS, m=len(texts)), "questions")
    too_long = [n for n, text in enumerate(texts, 1) if len(text) > QUESTION_MAX]
    if too_long:
        raise ServiceError(Msg("第{n}个问题超过{limit}字", "Question {n} is longer than {limit} characters",
                               n=too_long[0], limit=QUESTION_MAX), "questions")
    deadline = answer_deadline(court_date(now), working_days, court_calendar())
    inquiry = ComplianceInquiry(
        court_id=project.court_id, developer_id=project.developer_id, project_id=project.id,
        letter_type=kind.code, issued_at=now, issued_by_id=actor.id,
        deadline_working_days=working_days, deadline_on=deadline.on,
        deadline_estimated=deadline.is_estimate,
        questions=[InquiryQuestion(position=i, text=text) for i, text in enumerate(texts, 1)])
    db.session.add(inquiry)
    remind("inquiry_issued", inquiry, now=now)
    db.session.flush()
    number = inquiry_number(inquiry)
    due = date_zh(deadline.on) + ("（预计）" if deadline.is_estimate else "")
    due_en = deadline.on.isoformat() + (" (estimated)" if deadline.is_estimate else "")
    subject = Msg("合规性函询{number}：请于{due}前答复", "Compliance inquiry {number}: answer by {due_en}",
                  number=number, due=due, due_en=due_en)
    body = Msg("本院就“{project}”项目{topic}情况向你公司发出合规性函询（{number}），请于{due}前在平台逐项答复。",
               "The court asks your company about {topic_en} of the project “{project}” (inquiry {number}); "
               "answer each question on the platform by {due_en}.",
               project=project.name, topic=kind.label_zh, topic_en=kind.label_en.lower(), number=number,
               due=due, due_en=due_en)
    for user in _staff_of(project.developer_id):
        queue_notice(user=user, kind=NoticeKind.INQUIRY_ISSUED, subject=subject, body=body,
                     dedupe_key=f"inquiry-issued:{inquiry.id}:{user.id}", now=now)
    _letter(inquiry, project, actor=actor, now=now)  # renders, stores and commits
    return inquiry


@use_case
def answer_inquiry(inquiry_id: int, answers: dict[int, str], *, actor: User, now: datetime,
                   files: dict[int, list] | None = None) -> ComplianceInquiry:
    """The developer answers every question at once, each with text and its files (JPEG,
    PNG, WebP or PDF, checked by content); an answer cannot be changed later."""
    from app.services import evidence

    inquiry = _inquiry(inquiry_id)
    if not can(actor, Permission.INQUIRY_ANSWER, inquiry):
        raise NotFoundError(Msg("函询不存在", "No such inquiry"))  # someone else's inquiry: as if it did not exist
    if inquiry.answered_at is not None:
        raise ConflictError(Msg("该函询已答复", "The inquiry has been answered already"))
    for question in inquiry.questions:
        text = (answers.get(question.position) or "").strip()
        if not text:
            raise ServiceError(Msg("请回答第{n}个问题", "Answer question {n}", n=question.position),
                               f"answer_{question.position}")
        question.answer = text
    prepared_all, errors = [], []
    positions = {q.position for q in inquiry.questions}
    for position in sorted(set(files or {}) - positions):
        if any(getattr(f, "filename", None) or isinstance(f, tuple) for f in files[position]):
            errors.append({"field": f"files_{position}", "message": Msg(
                "没有第{n}个问题，不能附文件", "There is no question {n} to attach files to", n=position)})
    for question in inquiry.questions:
        prepared, found = evidence.prepare_files((files or {}).get(question.position) or (),
                                                 field=f"files_{question.position}", max_count=MAX_FILES_PER_ANSWER,
                                                 per=Msg("每个答复", "per answer"))
        errors += found
        for row in evidence.attachment_rows(prepared, uploaded_by=actor, now=now):
            question.attachments.append(row)
        prepared_all += prepared
    if errors:
        raise ServiceError(Msg("请修改标出的内容后再提交", "Correct the marked fields"), errors=errors)
    inquiry.answered_at = now
    remind("inquiry_answered", inquiry, now=now)
    with evidence.stored_files(prepared_all):
        db.session.commit()
    return inquiry


@use_case
def review_inquiry(inquiry_id: int, *, review: str | None = None, reason: str | None = None,
                   rectify_by: date | None = None, reviews: dict[int, tuple[str, str]] | None = None,
                   actor: User, now: datetime) -> ComplianceInquiry:
    """The judge's review of each answer, with its reason (``reviews``: position → (review,
    reason)); ``review``/``reason`` alone apply to every answer. The inquiry's review is the
    strictest; ``rectify`` needs a date to come."""
    inquiry = _inquiry(inquiry_id)
    _judge_of(actor, inquiry)
    if inquiry.answered_at is None:
        raise ServiceError(Msg("开发企业尚未答复，不能审查", "The developer has not answered yet"), "review")
    if inquiry.review is not None:
        raise ConflictError(Msg("该答复已审查", "The answer has been reviewed already"))
    if reviews is None:
        reviews = {q.position: (review, reason) for q in inquiry.questions}
        fields = lambda n: ("review", "reason")  # noqa: E731  (one conclusion for the whole answer)
    else:
        fields = lambda n: (f"review_{n}", f"reason_{n}")  # noqa: E731
    errors = []
    for question in inquiry.questions:
        verdict, why = reviews.get(question.position) or (None, None)
        review_field, reason_field = fields(question.position)
        if verdict not in REVIEW_ORDER:
            errors.append({"field": review_field, "message": Msg("请选择审查结论", "Choose the review's conclusion")})
        if not (why or "").strip():
            errors.append({"field": reason_field, "message": Msg("请写明审查理由", "Give the reason for the review")})
    if errors:
        raise ServiceError(errors[0]["message"], errors[0]["field"], errors=errors)
    review = max((reviews[q.position][0] for q in inquiry.questions), key=REVIEW_ORDER.index)
    reason = "；".join(reviews[q.position][1].strip() for q in inquiry.questions) if len(inquiry.questions) > 1 \
        else reviews[inquiry.questions[0].position][1].strip()
    for question in inquiry.questions:
        question.review, question.review_reason = reviews[question.position][0], reviews[question.position][1].strip()
    if review == InquiryReview.RECTIFY.value:
        if rectify_by is None or rectify_by <= court_date(now):
            raise ServiceError(Msg("整改期限应晚于今天", "The rectification date must be after today"),
                                   "rectify_by")
    else:
        rectify_by = None
    inquiry.review, inquiry.review_reason = review, reason.strip()
    inquiry.reviewed_at, inquiry.reviewed_by_id, inquiry.rectify_by = now, actor.id, rectify_by
    label = {"compliant": Msg("合规", "compliant"), "rectify": Msg("限期整改", "rectify by a date"),
             "non_compliant": Msg("不合规", "non-compliant")}[review]
    subject = Msg("合规性函询{number}的答复经审查：{label}", "Your answer to inquiry {number} was reviewed: {label}",
                  number=inquiry_number(inquiry), label=label)
    body = Msg("审查结论：{label}。理由：{reason}", "Review: {label}. Reason: {reason}", label=label, reason=reason)
    if rectify_by:
        body = body + Msg(" 请于{day}前整改。", " Rectify by {day_en}.", day=date_zh(rectify_by),
                          day_en=rectify_by.isoformat())
    for user in _staff_of(inquiry.developer_id):
        queue_notice(user=user, kind=NoticeKind.INQUIRY_REVIEWED, subject=subject, body=body,
                     dedupe_key=f"inquiry-reviewed:{inquiry.id}:{user.id}", now=now)
    db.session.commit()
    return inquiry


@use_case
def record_rectification(inquiry_id: int, *, rectified_on: date, actor: User,
                         now: datetime) -> ComplianceInquiry:
    """The judge records the day the developer rectified what the review asked."""
    inquiry = _inquiry(inquiry_id)
    _judge_of(actor, inquiry)
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


def answer_file(user: User, attachment_id: int):
    """A file attached to an answer, and where it is, for whoever may see the inquiry; else 404."""
    from app.models import Attachment
    from app.services import evidence

    attachment = db.session.get(Attachment, attachment_id)
    question = db.session.get(InquiryQuestion, attachment.inquiry_question_id) \
        if attachment is not None and attachment.inquiry_question_id else None
    if question is None or not can(user, Permission.INQUIRY_VIEW, question.inquiry):
        raise NotFoundError(Msg("文件不存在", "No such file"))
    path = evidence.path_of(attachment)
    if not path.is_file():
        raise NotFoundError(Msg("文件不存在", "No such file"))
    return attachment, path
