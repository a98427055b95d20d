"""mediator registry and delegation

The mediator's base coordinates and leave (``mediator_leaves``); a case's acceptance by its
mediator (``accepted_at``: the 30-day period runs from it) and the day by which the pending
delegation step is due (``response_due_at``) — docs/on-site.md.

Revision ID: 5e1c0a7d9b42
Revises: b6c1e2d3a4f5
Create Date: 2026-12-02 07:30:00

"""
from alembic import op
import sqlalchemy as sa


# Rebuilding ``cases`` on SQLite (batch mode) drops its full-text triggers; put them back
# exactly as app.models.search.install_search makes them (as revision 29efffa9713a does).
SQLITE_FTS_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS cases_fts_ai AFTER INSERT ON cases BEGIN "
    "INSERT INTO cases_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS cases_fts_ad AFTER DELETE ON cases BEGIN "
    "INSERT INTO cases_fts(cases_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS cases_fts_au AFTER UPDATE OF search_text ON cases BEGIN "
    "INSERT INTO cases_fts(cases_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO cases_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO cases_fts(cases_fts) VALUES ('rebuild')",
)


def _restore_search_triggers():
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        return
    has_fts = bind.execute(sa.text(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'cases_fts'")).first()
    if has_fts:
        for statement in SQLITE_FTS_TRIGGERS:
            bind.exec_driver_sql(statement)


revision = '5e1c0a7d9b42'
down_revision = 'b6c1e2d3a4f5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mediator_leaves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mediator_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=200), server_default='', nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_mediator_leaves_range_ordered')),
    sa.ForeignKeyConstraint(['mediator_id'], ['mediators.id'], name=op.f('fk_mediator_leaves_mediator_id_mediators'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mediator_leaves'))
    )
    with op.batch_alter_table('mediator_leaves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mediator_leaves_mediator_id'), ['mediator_id'], unique=False)

    with op.batch_alter_table('mediators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('base_lat', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('base_lon', sa.Float(), nullable=True))
        batch_op.create_check_constraint(batch_op.f('ck_mediators_base_lat_range'), 'base_lat IS NULL OR (base_lat BETWEEN -90 AND 90)')
        batch_op.create_check_constraint(batch_op.f('ck_mediators_base_lon_range'), 'base_lon IS NULL OR (base_lon BETWEEN -180 AND 180)')

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accepted_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('response_due_at', sa.DateTime(), nullable=True))
        batch_op.create_check_constraint(batch_op.f('ck_cases_accepted_has_mediator'), 'accepted_at IS NULL OR mediator_id IS NOT NULL')
    _restore_search_triggers()
    # Cases delegated before this revision were taken as accepted when assigned: their
    # 30-day period already ran from the assignment.
    op.execute("UPDATE cases SET accepted_at = assigned_at "
               "WHERE assigned_at IS NOT NULL AND mediator_id IS NOT NULL")


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_cases_accepted_has_mediator'), type_='check')
        batch_op.drop_column('response_due_at')
        batch_op.drop_column('accepted_at')
    _restore_search_triggers()
    with op.batch_alter_table('mediators', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_mediators_base_lon_range'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_mediators_base_lat_range'), type_='check')
        batch_op.drop_column('base_lon')
        batch_op.drop_column('base_lat')
    with op.batch_alter_table('mediator_leaves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mediator_leaves_mediator_id'))
    op.drop_table('mediator_leaves')
