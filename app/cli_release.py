"""``flask release export DEVELOPER_ID`` — the scenario the plan page plans, as JSON.

``python -m risk.plan`` on this file prints the very plan the page shows
(docs/release-in-the-app.md).
"""
from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup

release_cli = AppGroup("release", help="Release plans of frozen assets (边履行边解封).")


@release_cli.command("export")
@click.argument("developer_id", type=int)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default="-",
              help="File to write (default: stdout).")
def export_command(developer_id: int, output: str):
    """Write the planner's scenario for DEVELOPER_ID, read from the database."""
    from app.extensions import db
    from app.models import Developer
    from app.services.release import build_scenario

    if db.session.get(Developer, developer_id) is None:
        click.echo(f"flask release export: no developer with id {developer_id}", err=True)
        sys.exit(2)
    text = json.dumps(build_scenario(developer_id), ensure_ascii=False, indent=2) + "\n"
    if output == "-":
        sys.stdout.write(text)
    else:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
