"""Forms of the intake pages (filing, group filing, responses, calculators) and the glue
between a posted form and the intake services: yuan typed by people become fen here, and
the services' field errors (``claims[2].amount_fen``) find their way back to the field."""
from __future__ import annotations

from flask import request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField, FieldList, FileField, FormField, MultipleFileField, SelectField, StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Optional

from app.services.group_filing import MAX_GROUP_MEMBERS
from app.services.ids import parse_id
from app.services.intake_checks import FACTS_MAX, MAX_CLAIMS
from app.web.forms import BaseForm, SubForm
from mediation.amounts import InvalidAmountError, parse_yuan
from mediation.disputes import DisputeType

EVIDENCE_ACCEPT = "image/*,application/pdf"


def dispute_choices() -> list[tuple[str, str]]:
    return [("", str(_l("Choose the kind of dispute")))] + DisputeType.choices(str(get_locale()))


class ClaimRowForm(SubForm):
    """One claim: what is asked for and how much (yuan, typed)."""

    kind = StringField(_l("What you ask for"), render_kw={"maxlength": 100})
    amount = StringField(_l("Amount (yuan)"),
                         render_kw={"inputmode": "decimal", "autocomplete": "off"})


class _FilingFields(BaseForm):
    project_id = SelectField(_l("Project"), choices=[], validate_choice=False)
    unit = StringField(_l("Unit (building and room)"), render_kw={"maxlength": 64},
                       description=_l("For example 3栋1单元502"))
    dispute_type = SelectField(_l("Dispute type"), choices=[], validate_choice=False)
    claims = FieldList(FormField(ClaimRowForm), min_entries=3, max_entries=MAX_CLAIMS + 1)
    facts = TextAreaField(_l("Facts and reasons"), render_kw={"rows": 6, "maxlength": FACTS_MAX},
                          description=_l("What happened, when, and what the contract says."))
    files = MultipleFileField(_l("Evidence files"), render_kw={"accept": EVIDENCE_ACCEPT})
    photo = FileField(_l("Take a photo"), render_kw={"accept": "image/*",
                                                      "capture": "environment"})


class ComplaintForm(_FilingFields):
    """A homeowner's complaint against the project's developer."""


class DeveloperComplaintForm(_FilingFields):
    """A developer's own filing against a buyer (e.g. payment default)."""

    respondent_name = StringField(_l("Buyer's name"), render_kw={"maxlength": 50})
    respondent_resident_id = StringField(_l("Buyer's resident ID number"),
                                         render_kw={"maxlength": 18, "autocomplete": "off"})


class EvidenceForm(BaseForm):
    files = MultipleFileField(_l("Add evidence files"), render_kw={"accept": EVIDENCE_ACCEPT})
    photo = FileField(_l("Take a photo"), render_kw={"accept": "image/*",
                                                      "capture": "environment"})


class ResponseForm(BaseForm):
    text = TextAreaField(_l("Your response"), render_kw={"rows": 6, "maxlength": 5000})
    files = MultipleFileField(_l("Attachments"), render_kw={"accept": EVIDENCE_ACCEPT})


class MemberRowForm(SubForm):
    name = StringField(_l("Name"), render_kw={"maxlength": 50})
    resident_id = StringField(_l("Resident ID number"),
                              render_kw={"maxlength": 18, "autocomplete": "off"})
    phone = StringField(_l("Phone"), render_kw={"inputmode": "tel", "maxlength": 20})
    unit = StringField(_l("Unit"), render_kw={"maxlength": 64})
    amount = StringField(_l("Claim amount (yuan)"), render_kw={"inputmode": "decimal"})


class GroupFilingForm(BaseForm):
    project_id = SelectField(_l("Project"), choices=[], validate_choice=False)
    dispute_type = SelectField(_l("Dispute type"), choices=[], validate_choice=False)
    facts = TextAreaField(_l("Facts and reasons"), render_kw={"rows": 6, "maxlength": FACTS_MAX})
    unit = StringField(_l("Your unit"), render_kw={"maxlength": 64})
    claim_amount = StringField(_l("Your claim amount (yuan)"), render_kw={"inputmode": "decimal"})
    members = FieldList(FormField(MemberRowForm), min_entries=3,
                        max_entries=MAX_GROUP_MEMBERS + 1)


class ConfirmCodeForm(BaseForm):
    code = StringField(_l("Confirmation code"),
                       render_kw={"autocomplete": "one-time-code", "maxlength": 32,
                                  "autocapitalize": "characters"})


class LateDeliveryForm(SubForm):
    price = StringField(_l("Contract price (yuan)"), [DataRequired()],
                        render_kw={"inputmode": "decimal"})
    promised_on = DateField(_l("Promised delivery date"), [DataRequired()])
    delivered_on = DateField(_l("Actual delivery date (or today)"), [DataRequired()])
    daily_rate_permille = StringField(_l("Agreed daily rate (‰ of the price)"), [Optional()],
                                      render_kw={"inputmode": "decimal"},
                                      description=_l("For 万分之五 enter 0.5"))
    monthly_rent = StringField(_l("Local monthly rent of a similar unit (yuan)"), [Optional()],
                               render_kw={"inputmode": "decimal"},
                               description=_l("Used when the contract agrees no daily rate"))
    loss = StringField(_l("Actual loss (yuan, optional)"), [Optional()],
                       render_kw={"inputmode": "decimal"})


class TitleDelayForm(SubForm):
    paid = StringField(_l("Purchase money paid (yuan)"), [DataRequired()],
                       render_kw={"inputmode": "decimal"})
    delivered_on = DateField(_l("Delivery date"), [DataRequired()])
    obtained_on = DateField(_l("Title certificate obtained on (or today)"), [DataRequired()])
    annual_rate = StringField(_l("Overdue-loan annual rate (%)"), [DataRequired()],
                              render_kw={"inputmode": "decimal"},
                              description=_l("For example 3.85"))
    agreed_deadline = DateField(_l("Agreed registration deadline (optional)"), [Optional()])


class AreaDifferenceForm(SubForm):
    price = StringField(_l("Contract price (yuan)"), [DataRequired()],
                        render_kw={"inputmode": "decimal"})
    contract_area = StringField(_l("Contract area (m²)"), [DataRequired()],
                                render_kw={"inputmode": "decimal"})
    measured_area = StringField(_l("Measured area (m²)"), [DataRequired()],
                                render_kw={"inputmode": "decimal"})


# --- glue ---------------------------------------------------------------------------------


def uploaded_files(form) -> list:
    """Every file part of the form's ``files`` and ``photo`` inputs (empty parts dropped)."""
    files = [f for f in request.files.getlist(form.files.name) if f and f.filename]
    if hasattr(form, "photo"):
        files += [f for f in request.files.getlist(form.photo.name) if f and f.filename]
    return files


def claims_from_form(form) -> tuple[list[dict], list[int], list[dict]]:
    """Claims in fen from the typed rows, the row of each claim, and yuan parsing errors.

    Blank rows are skipped. A row whose amount cannot be read keeps its place with 0 fen,
    so the services can still check the rest of the row.
    """
    claims, rows, errors = [], [], []
    for index, row in enumerate(form.claims.entries):
        kind = (row.form.kind.data or "").strip()
        amount_text = (row.form.amount.data or "").strip()
        if not kind and not amount_text:
            continue
        try:
            amount = parse_yuan(amount_text)
        except InvalidAmountError as error:
            errors.append({"field": row.form.amount, "message": error.message})
            amount = 0
        claims.append({"kind": kind, "amount_fen": amount})
        rows.append(index)
    return claims, rows, errors


def members_from_form(form) -> tuple[list[dict], list[int], list[dict]]:
    members, rows, errors = [], [], []
    for index, row in enumerate(form.members.entries):
        data = {name: (getattr(row.form, name).data or "").strip()
                for name in ("name", "resident_id", "phone", "unit", "amount")}
        if not any(data.values()):
            continue
        amount = 0
        if data["amount"]:
            try:
                amount = parse_yuan(data["amount"])
            except InvalidAmountError as error:
                errors.append({"field": row.form.amount, "message": error.message})
        members.append({"name": data["name"], "resident_id": data["resident_id"],
                        "phone": data["phone"], "unit": data["unit"], "claim_amount_fen": amount})
        rows.append(index)
    return members, rows, errors


def _row_field(form, list_name: str, rows: list[int], path: str, names: dict):
    """``claims[2].amount_fen`` → the form field of the row that claim came from."""
    head, _, attr = path.partition(".")
    try:
        index = int(head[len(list_name) + 1:-1])
        entry = getattr(form, list_name).entries[rows[index]]
    except (ValueError, IndexError):
        return None
    sub = names.get(attr)
    return getattr(entry.form, sub) if sub else None


_FIELD_ALIASES = {"claim_amount_fen": "claim_amount"}
_ROW_NAMES = {
    "claims": {"kind": "kind", "amount_fen": "amount"},
    "members": {"name": "name", "resident_id": "resident_id", "phone": "phone",
                "unit": "unit", "claim_amount_fen": "amount"},
}


def apply_errors(form, errors: list[dict], *,
                 rows: dict[str, list[int]] | None = None) -> dict[str, list[str]]:
    """Put each error next to its field; return the others keyed by what they are about.

    ``errors`` items name a field either as a service path (``"facts"``,
    ``"claims[0].kind"``) or as the form field object itself. Errors about a whole list
    (``"claims"``, ``"members"``) or about nothing on the form come back as
    ``{"claims": [...], "_": [...]}`` for the template to show beside the list or on top.
    """
    rows = rows or {}
    unplaced: dict[str, list[str]] = {}
    for error in errors:
        target = error.get("field")
        field = None
        key = "_"
        if target is not None and not isinstance(target, str):
            field = target
        elif isinstance(target, str):
            list_name = next((n for n in _ROW_NAMES if target == n or target.startswith(n + "[")),
                             None)
            if list_name is not None:
                key = list_name
                if target != list_name and list_name in rows:
                    field = _row_field(form, list_name, rows[list_name], target,
                                       _ROW_NAMES[list_name])
            else:
                candidate = getattr(form, _FIELD_ALIASES.get(target, target), None)
                if candidate is not None and hasattr(candidate, "errors") \
                        and getattr(candidate, "type", "") != "FieldList":
                    field = candidate
        if field is None:
            unplaced.setdefault(key, []).append(error["message"])
        else:
            field.errors = list(field.errors or []) + [error["message"]]
    return unplaced


def project_choices(q: str | None, *, selected=None, developer_id: int | None = None,
                    limit: int = 50) -> list[tuple[str, str]]:
    """Options of the project select: the search results, plus the selected project."""
    from app.extensions import db
    from app.models import Project
    from app.services.intake import search_projects

    items = search_projects(q, developer_id=developer_id, limit=limit)
    choices = [(str(p["id"]), f"{p['name']}（{p['town']} · {p['developer']}）") for p in items]
    selected_id = parse_id(selected)
    if selected_id is not None and str(selected_id) not in {c[0] for c in choices}:
        project = db.session.get(Project, selected_id)
        if project is not None and (developer_id is None or project.developer_id == developer_id):
            choices.insert(0, (str(project.id),
                               f"{project.name}（{project.town.name} · {project.developer.name}）"))
    return [("", str(_l("Choose a project")))] + choices


def file_from_form(form, service, **extra) -> tuple[object | None, dict[str, list[str]]]:
    """Run a filing service on the posted form; return (complaint, None) or (None, errors).

    Yuan parsing happens here; when it fails, the service is asked only to list its own
    errors, so the filer sees every problem at once and nothing is saved.
    """
    from app.services import intake
    from app.services.errors import ServiceError

    claims, rows, parse_errors = claims_from_form(form)
    arguments = dict(project_id=form.project_id.data, unit=form.unit.data,
                     dispute_type=form.dispute_type.data, facts=form.facts.data,
                     claims=claims, files=uploaded_files(form), **extra)
    if parse_errors:
        errors = parse_errors + intake.complaint_errors(**arguments)
        return None, apply_errors(form, errors, rows={"claims": rows})
    try:
        return service(**arguments), {}
    except ServiceError as error:
        return None, apply_errors(form, error.errors or [{"field": None, "message": error.message}],
                                  rows={"claims": rows})
