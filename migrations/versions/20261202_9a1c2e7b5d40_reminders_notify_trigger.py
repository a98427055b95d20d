"""PostgreSQL: notify the dispatcher's watch when reminders or notices are inserted or rescheduled

The scheduler keeps the next due reminder in memory and asks the database again only when
that time has come or a notification says the table changed (app/services/reminder_watch.py,
docs/reminders.md). SQLite needs nothing: the watch reads PRAGMA data_version.

Revision ID: 9a1c2e7b5d40
Revises: f3868bad9b0b
Create Date: 2026-12-02 17:40:00
"""
from alembic import op

# The same text as app.models.reminders (a migration keeps its own copy: models change).
NOTIFY_FUNCTION_SQL = (
    "CREATE OR REPLACE FUNCTION reminders_notify() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN PERFORM pg_notify('reminders', ''); RETURN NULL; END $$")
NOTIFY_TRIGGER_SQL = (
    "CREATE TRIGGER reminders_notify AFTER INSERT OR UPDATE OF due_at, status ON reminders "
    "FOR EACH STATEMENT EXECUTE FUNCTION reminders_notify()")
NOTICES_FUNCTION_SQL = (
    "CREATE OR REPLACE FUNCTION notices_notify() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN PERFORM pg_notify('notices', ''); RETURN NULL; END $$")
NOTICES_TRIGGER_SQL = (
    "CREATE TRIGGER notices_notify AFTER INSERT OR UPDATE OF status, next_attempt_at ON notices "
    "FOR EACH STATEMENT EXECUTE FUNCTION notices_notify()")

revision = '9a1c2e7b5d40'
down_revision = 'f3868bad9b0b'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(NOTIFY_FUNCTION_SQL)
    op.execute("DROP TRIGGER IF EXISTS reminders_notify ON reminders")
    op.execute(NOTIFY_TRIGGER_SQL)
    op.execute(NOTICES_FUNCTION_SQL)
    op.execute("DROP TRIGGER IF EXISTS notices_notify ON notices")
    op.execute(NOTICES_TRIGGER_SQL)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS notices_notify ON notices")
    op.execute("DROP FUNCTION IF EXISTS notices_notify()")
    op.execute("DROP TRIGGER IF EXISTS reminders_notify ON reminders")
    op.execute("DROP FUNCTION IF EXISTS reminders_notify()")
