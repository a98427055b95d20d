"""case tallies: each court's number of cases, kept by triggers on cases

The judge's list as opened sums a court's few tally rows instead of walking up to 10,001
index entries (app/models/tallies.py, docs/page-cache.md). Filled here from the cases
already there.

Revision ID: b7c1d2e3f4a5
Revises: f61463da3cfb
Create Date: 2026-12-03 08:20:00
"""
from alembic import op
import sqlalchemy as sa

# The same text as app.models.tallies (a migration keeps its own copy: models change).
POSTGRESQL_DDL = (
    "CREATE OR REPLACE FUNCTION cases_tally() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP = 'INSERT' THEN "
    "INSERT INTO case_tallies (court_id, n) SELECT court_id, count(*) FROM tally_new GROUP BY court_id; "
    "ELSIF TG_OP = 'DELETE' THEN "
    "INSERT INTO case_tallies (court_id, n) SELECT court_id, -count(*) FROM tally_old GROUP BY court_id; "
    "ELSE "
    "INSERT INTO case_tallies (court_id, n) SELECT court_id, sum(d) FROM ("
    "SELECT court_id, 1 AS d FROM tally_new UNION ALL SELECT court_id, -1 FROM tally_old) AS moved "
    "GROUP BY court_id HAVING sum(d) <> 0; "
    "END IF; RETURN NULL; END $$",
    "CREATE TRIGGER cases_tally_insert AFTER INSERT ON cases REFERENCING NEW TABLE AS tally_new "
    "FOR EACH STATEMENT EXECUTE FUNCTION cases_tally()",
    "CREATE TRIGGER cases_tally_delete AFTER DELETE ON cases REFERENCING OLD TABLE AS tally_old "
    "FOR EACH STATEMENT EXECUTE FUNCTION cases_tally()",
    "CREATE TRIGGER cases_tally_update AFTER UPDATE ON cases "
    "REFERENCING OLD TABLE AS tally_old NEW TABLE AS tally_new "
    "FOR EACH STATEMENT EXECUTE FUNCTION cases_tally()",
    # TRUNCATE fires no row or delete trigger: no cases, no tallies.
    "CREATE OR REPLACE FUNCTION cases_tally_truncated() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "DELETE FROM case_tallies; RETURN NULL; END $$",
    "CREATE TRIGGER cases_tally_truncate AFTER TRUNCATE ON cases "
    "FOR EACH STATEMENT EXECUTE FUNCTION cases_tally_truncated()",
)
SQLITE_DDL = (
    "CREATE TRIGGER cases_tally_insert AFTER INSERT ON cases BEGIN "
    "INSERT INTO case_tallies (court_id, n) VALUES (NEW.court_id, 1); END",
    "CREATE TRIGGER cases_tally_delete AFTER DELETE ON cases BEGIN "
    "INSERT INTO case_tallies (court_id, n) VALUES (OLD.court_id, -1); END",
    "CREATE TRIGGER cases_tally_update AFTER UPDATE OF court_id ON cases "
    "WHEN OLD.court_id IS NOT NEW.court_id BEGIN "
    "INSERT INTO case_tallies (court_id, n) VALUES (OLD.court_id, -1); "
    "INSERT INTO case_tallies (court_id, n) VALUES (NEW.court_id, 1); END",
)

revision = 'b7c1d2e3f4a5'
down_revision = 'f61463da3cfb'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_tallies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('court_id', sa.Integer(), nullable=True),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_tallies'))
    )
    op.create_index('ix_case_tallies_court_id_n', 'case_tallies', ['court_id', 'n'], unique=False)
    op.execute("INSERT INTO case_tallies (court_id, n) SELECT court_id, count(*) FROM cases GROUP BY court_id")
    dialect = op.get_bind().dialect.name
    for statement in {"postgresql": POSTGRESQL_DDL, "sqlite": SQLITE_DDL}.get(dialect, ()):
        op.execute(statement)


def downgrade():
    for trigger in ("cases_tally_insert", "cases_tally_delete", "cases_tally_update",
                    "cases_tally_truncate"):
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON cases")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS cases_tally()")
        op.execute("DROP FUNCTION IF EXISTS cases_tally_truncated()")
    op.drop_index('ix_case_tallies_court_id_n', table_name='case_tallies')
    op.drop_table('case_tallies')
