"""The judges' forms for the release records: a preservation order with its first frozen
asset, another asset or a correction of one, a counter-guarantee offered, its review, and
an obligation entered by hand. Amounts are typed in yuan (full-width digits accepted) and
kept as fen (``mediation.amounts.parse_yuan``)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField, DateField, FieldList, FormField, MultipleFileField, RadioField, SelectField,
    SelectMultipleField, StringField, TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from app.web.forms import BaseForm, SubForm
from app.web.release_labels import asset_kinds, guarantee_kinds
from mediation.amounts import InvalidAmountError, parse_yuan


def yuan_to_fen(text: str | None) -> int:
    """Fen of a typed yuan amount; raises ValidationError with the reason (both languages)."""
    try:
        return parse_yuan(text)
    except InvalidAmountError as error:
        raise ValidationError(error.message) from None


def asset_kind_choices():
    return [("", _l("Choose")), *asset_kinds()]


def guarantee_kind_choices():
    return [("", _l("Choose")), *guarantee_kinds()]


class _AssetFields(BaseForm):
    label = StringField(_l("Description (account, unit or stake)"), validators=[Length(max=120)])
    value = StringField(_l("Frozen value (yuan)"), render_kw={"inputmode": "decimal"})
    cases = SelectMultipleField(_l("Cases it secures"), coerce=int, choices=[],
                                description=_l("Only this developer's cases in your court."))
    disputed = BooleanField(_l("The disputed property itself"))
    applicant_consented = BooleanField(_l("The applicant consents to its release"),
                                       description=_l("Without the applicant's consent a disputed property "
                                                      "secures its cases but is never released."))

    def validate_value(self, field):
        self.value_fen = yuan_to_fen(field.data)


class AssetForm(_AssetFields):
    """Another asset frozen by an order."""

    kind = SelectField(_l("Kind of asset"), choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = asset_kind_choices()


class EditAssetForm(_AssetFields):
    """A correction of an asset (its kind stays)."""


class OrderForm(AssetForm):
    """A preservation ruling and the first asset it froze."""

    ruling_no = StringField(_l("Ruling number"), validators=[Length(max=64)],
                            render_kw={"placeholder": "（2026）琼9005财保12号"})
    ruled_on = DateField(_l("Ruled on"), validators=[Optional()])
    expires_on = DateField(_l("Preservation expires on"), validators=[Optional()])


class GuaranteeForm(BaseForm):
    provider = StringField(_l("Provider"), validators=[Length(max=120)],
                           description=_l("The bank, insurer, guarantee company or person giving it."))
    provider_developer = SelectField(_l("The provider is a developer"), choices=[],
                                     description=_l("A blacklisted developer's guarantee is refused on review."))
    kind = SelectField(_l("Kind of guarantee"), choices=[])
    value = StringField(_l("Value (yuan)"), render_kw={"inputmode": "decimal"})
    cases = SelectMultipleField(_l("Cases it covers"), coerce=int, choices=[],
                                description=_l("Only this developer's cases in your court."))
    valid_from = DateField(_l("Valid from"), validators=[Optional()])
    valid_until = DateField(_l("Valid until"), validators=[Optional()])
    backed_by = SelectField(_l("What backs it"), choices=[],
                            description=_l("A guarantee resting on one of the frozen assets (or on a guarantee "
                                           "that does) adds no security: the planner leaves it out."))
    files = MultipleFileField(_l("Documents (JPEG, PNG, WebP or PDF)"),
                              render_kw={"accept": "image/*,application/pdf"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = guarantee_kind_choices()

    def validate_value(self, field):
        self.value_fen = yuan_to_fen(field.data)


class ReviewForm(BaseForm):
    decision = RadioField(_l("Decision"), choices=[("accept", _l("Accept: the security is adequate")),
                                                   ("refuse", _l("Refuse"))], validators=[Optional()])
    reason = TextAreaField(_l("Reason"), validators=[Length(max=2000)], render_kw={"rows": 3})


class ReductionRow(SubForm):
    #: Rows left empty post nothing; the service checks the case is the developer's in the court.
    case = SelectField(_l("Case"), choices=[], validate_choice=False)
    amount = StringField(_l("Settles (yuan)"), render_kw={"inputmode": "decimal"})

    def validate_amount(self, field):
        self.amount_fen = yuan_to_fen(field.data) if (field.data or "").strip() else None


class ObligationForm(BaseForm):
    description = StringField(_l("What must be performed"), validators=[Length(max=200)])
    cost = StringField(_l("What performing it costs the developer (yuan)"), render_kw={"inputmode": "decimal"})
    due_on = DateField(_l("Due on"), validators=[Optional()])
    after = SelectField(_l("Only after"), choices=[])
    reductions = FieldList(FormField(ReductionRow), min_entries=4, max_entries=20)

    def validate_cost(self, field):
        self.cost_fen = yuan_to_fen(field.data)


class MarkForm(BaseForm):
    status = SelectField(choices=[("performed", "performed"), ("confirmed", "confirmed")],
                         validators=[InputRequired()])
