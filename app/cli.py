"""Flask commands: ``flask demo``, ``flask notices send`` and friends."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

notices_cli = AppGroup("notices", help="Notices to users (in-app inbox and e-mail).")


@notices_cli.command("send")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10_000),
              help="E-mails to send at most in this run.")
def send_notices_command(limit: int):
    """Send the e-mail notices that are due, once (the scheduler runs this every minute)."""
    from app.models.types import utcnow
    from app.notify.dispatch import deliver_pending

    click.echo(deliver_pending(now=utcnow(), limit=limit).line())


@notices_cli.command("duplicates")
def notice_duplicates_command():
    """List the notices that may have arrived twice (a dispatcher died mid-send)."""
    from app.notify.dispatch import possible_duplicates

    found = possible_duplicates()
    for item in found:
        label = "reference" if item.channel == "sms" else "Message-ID"
        click.echo(f"notice {item.notice_id} to {item.recipient} ({item.status}): "
                   f"{item.times} extra cop{'y' if item.times == 1 else 'ies'} possible, "
                   f"{label} {item.message_id}")
    click.echo(f"notices: {len(found)} possibly delivered twice (same Message-ID or reference)")


cases_cli = AppGroup("cases", help="Case deadlines run by the rules.")


@cases_cli.command("expire")
def expire_cases_command():
    """End the mediations whose period ran out without agreement or extension (art. 25)."""
    from app.models.types import utcnow
    from app.services.delegation import end_expired_mediations

    ended = end_expired_mediations(now=utcnow())
    click.echo(f"{len(ended)} mediation(s) ended" + (": " + ", ".join(ended) if ended else ""))


warnings_cli = AppGroup("warnings", help="Early warnings (风险预警).")


@warnings_cli.command("evaluate")
@click.option("--date", "on", default=None, metavar="YYYY-MM-DD",
              help="Evaluate as on this court date (default: today).")
def evaluate_warnings_command(on: str | None):
    """Evaluate every project and developer and store the levels (nightly at 02:00)."""
    from datetime import date, datetime, time

    from app.models.types import utcnow
    from app.services.early_warnings import evaluate_warnings
    from mediation.lifecycle import COURT_TZ

    now = utcnow()
    if on:
        try:
            now = datetime.combine(date.fromisoformat(on), time(2, 0), tzinfo=COURT_TZ)
        except ValueError:
            click.echo(f"invalid --date {on}: expected YYYY-MM-DD", err=True)
            sys.exit(2)
    click.echo(evaluate_warnings(now=now).line())
    from app.services.warning_notices import issue_notice_documents

    made = issue_notice_documents(now=now)  # the PDFs of the rises' notices, after the commit
    if made:
        click.echo(f"{made} warning notice PDFs issued")


def register_cli(app) -> None:
    from app.cli_referrals import referrals_cli  # flask referrals import FILE …
    app.cli.add_command(referrals_cli)
    app.cli.add_command(notices_cli)  # flask notices send
    app.cli.add_command(cases_cli)  # flask cases expire
    from app.cli_release import release_cli  # flask release export DEVELOPER_ID
    app.cli.add_command(release_cli)
    from app.cli_users import users_cli  # flask users create|deactivate|reset-password
    app.cli.add_command(users_cli)
    app.cli.add_command(warnings_cli)  # flask warnings evaluate
    from app.cli_scheduler import jobs_cli, scheduler_command  # flask scheduler, flask jobs …
    app.cli.add_command(jobs_cli)
    app.cli.add_command(scheduler_command)

    @app.cli.command("demo")
    @click.option("--seed", default=2020, show_default=True, help="Random seed.")
    def demo_command(seed: int):
        """Build a realistic demo database (Wenchang court, 2018–2020 case history)."""
        if current_app.config["APP_SETTINGS"].is_production:
            click.echo("flask demo refuses to run against a production configuration.", err=True)
            sys.exit(2)
        from app.demo import build_demo

        build_demo(seed=seed, echo=click.echo)

    @app.cli.command("demo-present")
    def demo_present_command():
        """Exit 0 when the database already holds accounts (used by run.sh)."""
        from sqlalchemy import func, select

        from app.extensions import db
        from app.models import User

        sys.exit(0 if db.session.scalar(select(func.count()).select_from(User)) else 1)

    @app.cli.command("stats")
    @click.option("--from", "from_", required=True, help="First day, YYYY-MM-DD (court time).")
    @click.option("--to", "to", required=True, help="Last day, YYYY-MM-DD (inclusive).")
    @click.option("--court", "court_id", type=int, default=None, help="Court id (default: all).")
    def stats_command(from_: str, to: str, court_id: int | None):
        """Print the period's figures: received, closed, 调撤率, pre-litigation success."""
        from datetime import date

        from app.services.statistics import period_summary
        from mediation.statistics import format_percent

        try:
            first, last = date.fromisoformat(from_), date.fromisoformat(to)
        except ValueError:
            click.echo("stats: --from and --to must be dates like 2019-01-01", err=True)
            sys.exit(2)
        if first > last:
            click.echo("stats: --from must not be after --to", err=True)
            sys.exit(2)
        s = period_summary(first, last, court_id=court_id)
        lines = [
            f"期间 period            {first} – {last}",
            f"收案 received          {s.received:,}",
            f"结案 closed            {s.closed:,}",
            f"调解 mediated          {s.mediated:,}",
            f"申请撤诉 withdrawn     {s.withdrawn_applied:,}",
            f"按撤诉处理 deemed      {s.withdrawn_deemed:,} (not counted in 调撤率)",
            f"判决 judged            {s.judged:,}",
            f"驳回 dismissed         {s.dismissed:,}",
            f"移送 transferred       {s.transferred:,}",
            f"调撤率 rate            {format_percent(s.mediation_withdrawal_rate)}",
            f"诉前调解成功率         {format_percent(s.pre_litigation_success_rate)}",
            f"诉前化解（未成讼）     {s.filings_avoided:,}",
        ]
        click.echo("\n".join(lines))
