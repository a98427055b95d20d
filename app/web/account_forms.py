"""Forms of the account pages: registration, password reset, invitations, and the clerk's
account, developer and project pages (Flask-WTF: CSRF on every one).

The fields carry no validators of their own beyond lengths: the services check
everything and report every field at once; :func:`place_errors` puts each message next
to its field.
"""
from __future__ import annotations

from flask import flash
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField, PasswordField, SelectField, SelectMultipleField, StringField,
    SubmitField,
)
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.models.mediators import MEDIATOR_KINDS
from app.services.errors import request_locale
from app.web.forms import BaseForm
from mediation.disputes import DisputeType
from mediation.messages import localize


def place_errors(form, error) -> None:
    """Show a ServiceError's messages next to their fields (or on top of the page)."""
    items = error.raw_errors or [{"field": error.field, "message": error.raw_message}]
    for item in items:
        field = getattr(form, item["field"] or "", None)
        if field is not None and hasattr(field, "errors") and not callable(field.errors):
            # Kept as the service's message: the field macro shows it in the reader's language.
            field.errors = list(field.errors or []) + [item["message"]]
        else:
            flash(localize(item["message"], request_locale()), "error")


class RegisterForm(BaseForm):
    name = StringField(_l("Name"), render_kw={"maxlength": 50, "autocomplete": "name"})
    resident_id = StringField(_l("Resident ID number"),
                              render_kw={"maxlength": 18, "autocomplete": "off"})
    phone = StringField(_l("Mobile phone"), render_kw={"inputmode": "tel", "maxlength": 20,
                                                       "autocomplete": "tel"},
                        description=_l("You log in with this number."))
    send_code = SubmitField(_l("Send me a code"))
    code = StringField(_l("Code from the text message"),
                       render_kw={"inputmode": "numeric", "maxlength": 8,
                                  "autocomplete": "one-time-code"})
    password = PasswordField(_l("Password"), render_kw={"maxlength": 256},
                             description=_l("At least 8 characters, letters and digits."))
    confirm = PasswordField(_l("Repeat the password"), render_kw={"maxlength": 256})
    submit = SubmitField(_l("Register"))


class ResetByPhoneForm(BaseForm):
    phone = StringField(_l("Mobile phone"), render_kw={"inputmode": "tel", "maxlength": 20})
    send_code = SubmitField(_l("Send me a code"))
    code = StringField(_l("Code from the text message"),
                       render_kw={"inputmode": "numeric", "maxlength": 8,
                                  "autocomplete": "one-time-code"})
    password = PasswordField(_l("New password"), render_kw={"maxlength": 256})
    confirm = PasswordField(_l("Repeat the new password"), render_kw={"maxlength": 256})
    submit = SubmitField(_l("Set the new password"))


class ResetByEmailForm(BaseForm):
    login = StringField(_l("Username or e-mail address"), render_kw={"maxlength": 254})
    submit = SubmitField(_l("E-mail me a link"))


class SetPasswordForm(BaseForm):
    password = PasswordField(_l("New password"), render_kw={"maxlength": 256},
                             description=_l("At least 8 characters, letters and digits."))
    confirm = PasswordField(_l("Repeat the new password"), render_kw={"maxlength": 256})


# --- the clerk's pages ---------------------------------------------------------------------


def role_choices() -> list[tuple[str, str]]:
    return [("", str(_l("Choose a role"))), ("judge", str(_l("Judge"))),
            ("mediator", str(_l("Mediator"))), ("developer", str(_l("Developer staff"))),
            ("admin", str(_l("Court clerk")))]


def mediator_kind_choices() -> list[tuple[str, str]]:
    labels = {"court": _l("Court mediator"), "invited": _l("Specially invited mediator"),
              "housing_bureau": _l("Housing bureau officer"), "lawyer": _l("Lawyer")}
    return [(k, str(labels.get(k, k))) for k in MEDIATOR_KINDS]


class _Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AccountForm(BaseForm):
    role = SelectField(_l("Role"), choices=[], validate_choice=False)
    username = StringField(_l("Username"), render_kw={"maxlength": 64, "autocomplete": "off"})
    name = StringField(_l("Name"), render_kw={"maxlength": 100})
    phone = StringField(_l("Phone"), render_kw={"inputmode": "tel", "maxlength": 20})
    email = StringField(_l("E-mail address"), render_kw={"maxlength": 254})
    court_id = SelectField(_l("Court"), choices=[], validate_choice=False,
                           description=_l("Judges and mediators belong to one court."))
    developer_id = SelectField(_l("Developer"), choices=[], validate_choice=False,
                               description=_l("For developer staff."))
    mediator_kind = SelectField(_l("Kind of mediator"), choices=[], validate_choice=False)
    skills = _Checkboxes(_l("Experienced in"), choices=[], validate_choice=False)
    capacity = StringField(_l("Open cases at once"), default="20",
                           render_kw={"inputmode": "numeric", "maxlength": 3})
    password = PasswordField(_l("Initial password"), render_kw={"maxlength": 256},
                             description=_l("Hand it over in person; at least 8 characters, letters and digits."))
    confirm = PasswordField(_l("Repeat the password"), render_kw={"maxlength": 256})

    def fill_choices(self, courts, developers) -> None:
        self.role.choices = role_choices()
        self.court_id.choices = [("", str(_l("Choose a court")))] + [
            (str(c.id), c.name) for c in courts]
        self.developer_id.choices = [("", str(_l("Choose a developer")))] + [
            (str(d.id), d.name) for d in developers]
        self.mediator_kind.choices = mediator_kind_choices()
        self.skills.choices = DisputeType.choices(str(get_locale()))


class InviteForm(BaseForm):
    developer_id = SelectField(_l("Developer"), choices=[], validate_choice=False)
    name = StringField(_l("Name"), render_kw={"maxlength": 100})
    phone = StringField(_l("Mobile phone"), render_kw={"inputmode": "tel", "maxlength": 20},
                        description=_l("The username; the link is sent here by text message."))
    email = StringField(_l("E-mail address"), render_kw={"maxlength": 254})


class ClerkPasswordForm(BaseForm):
    password = PasswordField(_l("New password"), render_kw={"maxlength": 256})
    confirm = PasswordField(_l("Repeat the new password"), render_kw={"maxlength": 256})


class DeveloperForm(BaseForm):
    name = StringField(_l("Company name"), render_kw={"maxlength": 120})
    uscc = StringField(_l("Unified social credit code"),
                       render_kw={"maxlength": 18, "autocomplete": "off"},
                       description=_l("18 characters, the last one a check character."))
    legal_representative = StringField(_l("Legal representative"), render_kw={"maxlength": 50})
    phone = StringField(_l("Phone"), render_kw={"inputmode": "tel", "maxlength": 20})
    address = StringField(_l("Address"), render_kw={"maxlength": 200})


class ProjectForm(BaseForm):
    name = StringField(_l("Project name"), render_kw={"maxlength": 100})
    developer_id = SelectField(_l("Developer"), choices=[], validate_choice=False)
    court_id = SelectField(_l("Court"), choices=[], validate_choice=False)
    town_id = SelectField(_l("Town"), choices=[], validate_choice=False)
    address = StringField(_l("Address"), render_kw={"maxlength": 200})
    latitude = StringField(_l("Latitude"), render_kw={"inputmode": "decimal", "maxlength": 12})
    longitude = StringField(_l("Longitude"), render_kw={"inputmode": "decimal", "maxlength": 12})
    presale_permit = StringField(_l("Pre-sale permit"), render_kw={"maxlength": 64})
    units_total = StringField(_l("Units"), render_kw={"inputmode": "numeric", "maxlength": 7})
    units_delivered = StringField(_l("Units delivered"),
                                  render_kw={"inputmode": "numeric", "maxlength": 7})
    promised_delivery_on = DateField(_l("Promised delivery date"), validators=[Optional()])

    def fill_choices(self, developers, courts, towns) -> None:
        self.developer_id.choices = [("", str(_l("Choose a developer")))] + [
            (str(d.id), d.name) for d in developers]
        self.court_id.choices = [("", str(_l("Choose a court")))] + [
            (str(c.id), c.name) for c in courts]
        self.town_id.choices = [("", str(_l("Choose a town")))] + [
            (str(t.id), f"{t.county}{t.name}") for t in towns]

