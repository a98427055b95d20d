"""``flask referrals import FILE``: import an agency's CSV from the shell, with a progress bar.

The same service as the web upload (app.services.referrals.import_referrals), in the
foreground: the way to load very large files or to script regular imports.
Exit codes: 0 imported; 1 the file has errors (nothing imported, the report is printed
and kept on the import); 2 wrong arguments.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.models.referrals import AGENCIES

referrals_cli = AppGroup("referrals", help="Referrals from other agencies (CSV imports).")

#: Row errors printed on the terminal; the full report is on the import's page.
SHOWN_ERRORS = 50


@referrals_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--agency", required=True, type=click.Choice(AGENCIES), help="The referring agency.")
@click.option("--court-id", "court_id", required=True, type=int, help="The importing court's id.")
@click.option("--user", "username", required=True, help="Username of the judge or clerk importing.")
def import_command(path: Path, agency: str, court_id: int, username: str):
    """Validate PATH and import every row as a complaint, or none if any row is wrong."""
    from app.extensions import db
    from app.models import Court, User
    from app.models.types import utcnow
    from app.services.errors import ServiceError
    from app.services.referral_csv import FIELD_HEADERS
    from app.services.referrals import (
        MAX_FILE_BYTES, import_referrals, report_errors, report_notes,
    )

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        click.echo(f"referrals: no active user {username!r}", err=True)
        sys.exit(2)
    if db.session.get(Court, court_id) is None:
        click.echo(f"referrals: no court with id {court_id}", err=True)
        sys.exit(2)
    if path.stat().st_size > MAX_FILE_BYTES:
        click.echo(f"referrals: {path.name} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; "
                   "split it into several files", err=True)
        sys.exit(2)

    state: dict = {}

    def progress(done: int, total: int) -> None:
        bar = state.get("bar")
        if bar is None:
            bar = state["bar"] = click.progressbar(length=total, label="校验 checking rows",
                                                   show_pos=True, file=sys.stderr)
            bar.__enter__()
            state["done"] = 0
        bar.update(done - state["done"])
        state["done"] = done

    try:
        record = import_referrals(path.read_bytes(), filename=path.name, agency=agency,
                                  actor=user, now=utcnow(), progress=progress, court_id=court_id)
    except ServiceError as error:
        click.echo(f"referrals: {error.message}", err=True)
        sys.exit(2)
    finally:
        if state.get("bar") is not None:
            state["bar"].__exit__(None, None, None)

    if record.status != "imported":
        errors = report_errors(record)
        click.echo(f"导入失败 failed: import #{record.id}, {len(errors)} error(s), nothing imported",
                   err=True)
        for entry in errors[:SHOWN_ERRORS]:
            column = FIELD_HEADERS.get(entry.get("field"), entry.get("field") or "")
            click.echo(f"  [{column}] {entry['message']}", err=True)
        if len(errors) > SHOWN_ERRORS:
            click.echo(f"  … {len(errors) - SHOWN_ERRORS} more on /court/imports/{record.id}", err=True)
        sys.exit(1)
    click.echo(f"已导入 imported: import #{record.id}, {record.imported_rows} complaint(s), "
               f"{record.duplicate_rows} flagged as possible duplicates")
    for entry in report_notes(record)[:SHOWN_ERRORS]:
        click.echo(f"  {entry['message']}")
