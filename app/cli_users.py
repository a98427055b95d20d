"""``flask users create|deactivate|reset-password``: the clerk's account use-cases from a shell.

The same services as ``/admin/users`` (app.services.account_admin): the same checks, the
same ending of every session and token. A refused command prints one line on stderr and
exits 2; passwords are asked for twice without echo unless ``--password`` is given.
"""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

users_cli = AppGroup("users", help="Accounts: create, deactivate, reset a password.")


def _refuse(error) -> None:
    items = error.errors or [{"field": error.field, "message": error.message}]
    text = "; ".join(f"{i['field']}: {i['message']}" if i.get("field") else i["message"]
                     for i in items)
    click.echo(f"users: {text}", err=True)
    sys.exit(2)


def _clerk():
    """The actor recorded for commands typed at the server: no web user (None)."""
    return None


@users_cli.command("create")
@click.argument("username")
@click.option("--role", required=True,
              type=click.Choice(["judge", "mediator", "developer", "admin"]))
@click.option("--name", required=True, help="The person's name.")
@click.option("--court-id", type=int, help="Court (judges and mediators).")
@click.option("--developer-id", type=int, help="Developer (developer staff).")
@click.option("--phone", default=None)
@click.option("--email", default=None)
@click.option("--mediator-kind", default="court", show_default=True,
              type=click.Choice(["court", "invited", "housing_bureau", "lawyer"]))
@click.option("--skill", "skills", multiple=True,
              help="Dispute type code the mediator is experienced in (repeatable).")
@click.option("--capacity", default=20, show_default=True, type=int)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user_command(username, role, name, court_id, developer_id, phone, email,
                        mediator_kind, skills, capacity, password):
    """Create a judge's, mediator's, developer's or clerk's account."""
    from app.models.types import utcnow
    from app.services.account_admin import create_account
    from app.services.errors import ServiceError

    try:
        user = create_account(
            actor=_clerk(), now=utcnow(), role=role, username=username, name=name,
            password=password, confirm=password, phone=phone, email=email, court_id=court_id,
            developer_id=developer_id, mediator_kind=mediator_kind, skills=list(skills),
            capacity=capacity)
    except ServiceError as error:
        _refuse(error)
    click.echo(f"users: created {user.username} ({user.role}, id {user.id})")


@users_cli.command("deactivate")
@click.argument("username")
def deactivate_user_command(username):
    """Deactivate an account: it cannot log in, and every session and token ends now."""
    from app.models.types import utcnow
    from app.services.account_admin import deactivate_account, find_by_username
    from app.services.errors import ServiceError

    try:
        user = find_by_username(username)
        deactivate_account(actor=_clerk(), now=utcnow(), user_id=user.id)
    except ServiceError as error:
        _refuse(error)
    click.echo(f"users: deactivated {username}; every session and token has ended")


@users_cli.command("reset-password")
@click.argument("username")
@click.option("--password", prompt="New password", hide_input=True, confirmation_prompt=True)
def reset_password_command(username, password):
    """Set a new password; every session and token of the account ends."""
    from app.models.types import utcnow
    from app.services.account_admin import find_by_username, reset_password
    from app.services.errors import ServiceError

    try:
        user = find_by_username(username)
        reset_password(actor=_clerk(), now=utcnow(), user_id=user.id, password=password,
                       confirm=password)
    except ServiceError as error:
        _refuse(error)
    click.echo(f"users: password of {username} reset; every session and token has ended")
