"""Forms shared by the web blueprints (Flask-WTF: CSRF on every one).

Every form of the web app derives from :class:`BaseForm` (a page's form, with CSRF) or
:class:`SubForm` (a row inside a ``FormField``, or a GET form such as the calculators):
their ``Meta`` gives every text field the :class:`~app.input_safety.StorableText`
validator, so a NUL or another control character is refused next to the field it was
typed in (a test walks every form class of the app).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Form, PasswordField, SelectField, StringField
from wtforms.fields.core import UnboundField
from wtforms.meta import DefaultMeta
from wtforms.validators import DataRequired, EqualTo, Length

from app.input_safety import StorableText

#: Fields whose data is text a person typed or a browser may forge.
TEXT_FIELDS = (StringField, SelectField)


class _StorableTextMeta(DefaultMeta):
    def bind_field(self, form, unbound_field, options):
        if issubclass(unbound_field.field_class, TEXT_FIELDS):
            args, kwargs = list(unbound_field.args), dict(unbound_field.kwargs)
            if len(args) > 1:  # StringField(label, [validators])
                args[1] = [StorableText(), *(args[1] or ())]
            else:
                kwargs["validators"] = [StorableText(), *(kwargs.get("validators") or ())]
            unbound_field = UnboundField(unbound_field.field_class, *args,
                                         name=unbound_field.name, **kwargs)
        return super().bind_field(form, unbound_field, options)


class BaseForm(FlaskForm):
    """A page's form: CSRF, and every text field refuses characters that cannot be stored."""

    class Meta(_StorableTextMeta):
        pass


class SubForm(Form):
    """A form without CSRF (a row of a ``FieldList``, a GET form) with the same text rule."""

    Meta = _StorableTextMeta


class LoginForm(BaseForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    remember = BooleanField(_l("Remember me on this device"))


class ChangePasswordForm(BaseForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=256)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new", message=_l("The two passwords differ."))],
    )


class EmptyForm(BaseForm):
    """A form with only the CSRF token, for POST buttons such as logout."""
