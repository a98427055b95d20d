"""Forms of the prevention pages. The answer and review forms have one field per question
of the inquiry, so their classes are made per inquiry (still BaseForm subclasses)."""
from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField, FieldList, FormField, IntegerField, MultipleFileField, SelectField, StringField, TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.web.forms import BaseForm, SubForm
from risk.inquiries import DEFAULT_WORKING_DAYS, LETTER_TYPES, MAX_WORKING_DAYS, MIN_WORKING_DAYS

ANSWER_MAX = 5000


def letter_choices() -> list[tuple[str, str]]:
    english = str(get_locale()).startswith("en")
    return [(t.code, t.label_en if english else t.label_zh) for t in LETTER_TYPES.values()]


class IssueInquiryForm(BaseForm):
    letter_type = SelectField(_l("Kind of letter"), choices=[])
    working_days = IntegerField(_l("Answer due in working days"), default=DEFAULT_WORKING_DAYS,
                                validators=[InputRequired(), NumberRange(MIN_WORKING_DAYS, MAX_WORKING_DAYS)])
    questions = TextAreaField(_l("Questions (one a line; leave empty for the standard questions of the kind)"),
                              validators=[Optional(), Length(max=5000)], render_kw={"rows": 6})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.letter_type.choices = letter_choices()


def review_choices() -> list[tuple[str, str]]:
    return [("", str(_l("Choose"))), ("compliant", str(_l("Compliant"))),
            ("rectify", str(_l("Rectify by a date"))), ("non_compliant", str(_l("Non-compliant")))]


def answer_form(inquiry, *args, **kwargs):
    """A form with ``answer_N`` and ``files_N`` for each question N of ``inquiry``."""
    class AnswerInquiryForm(BaseForm):
        pass

    for q in inquiry.questions:
        setattr(AnswerInquiryForm, f"answer_{q.position}", TextAreaField(
            _l("Answer %(n)s", n=q.position), validators=[Length(max=ANSWER_MAX)], render_kw={"rows": 4}))
        setattr(AnswerInquiryForm, f"files_{q.position}", MultipleFileField(
            _l("Files for answer %(n)s (JPEG, PNG, WebP or PDF)", n=q.position),
            render_kw={"accept": "image/*,application/pdf"}))
    return AnswerInquiryForm(*args, **kwargs)


def review_form(inquiry, *args, **kwargs):
    """A form with ``review_N`` and ``reason_N`` for each answer, and the rectification date."""
    class ReviewInquiryForm(BaseForm):
        rectify_by = DateField(_l("Rectify by"), validators=[Optional()])

    for q in inquiry.questions:
        setattr(ReviewInquiryForm, f"review_{q.position}", SelectField(
            _l("Review of answer %(n)s", n=q.position), choices=[]))
        setattr(ReviewInquiryForm, f"reason_{q.position}", TextAreaField(
            _l("Reason"), validators=[Length(max=2000)], render_kw={"rows": 2}))
    form = ReviewInquiryForm(*args, **kwargs)
    for q in inquiry.questions:
        getattr(form, f"review_{q.position}").choices = review_choices()
    return form


class RectifiedForm(BaseForm):
    rectified_on = DateField(_l("Rectified on"), validators=[InputRequired()])


class AcknowledgeForm(BaseForm):
    """Signing for a warning notice: nothing to fill in but the CSRF token."""


class CommitmentRowForm(SubForm):
    text = StringField(_l("Commitment"), validators=[Length(max=500)])
    due_on = DateField(_l("By"), validators=[Optional()])


class AnswerWarningForm(BaseForm):
    plan = TextAreaField(_l("Rectification plan"), validators=[Length(max=5000)], render_kw={"rows": 6})
    commitments = FieldList(FormField(CommitmentRowForm), min_entries=3, max_entries=10)


class SettleCommitmentForm(BaseForm):
    kept = SelectField(_l("Outcome"), choices=[("kept", _l("Kept")), ("broken", _l("Broken"))])
    note = StringField(_l("Note"), validators=[Length(max=500)])


class BlacklistForm(BaseForm):
    reason = TextAreaField(_l("Reason"), validators=[Length(max=2000)], render_kw={"rows": 3})
