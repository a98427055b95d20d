"""evaluation time and performed at

``risk_levels.evaluated_at``: the moment of the last evaluation, nightly or on demand from
the project page (shown in Asia/Shanghai). ``obligations.performed_at``: when an obligation
was recorded performed, so a developer's obligations feed ``milestone_overdue``
(docs/early-warnings.md). Obligations already performed or confirmed get their confirmation
time, else their creation time: an earlier day than the truth never makes a warning fire.

Revision ID: 5e1f0c2a9d47
Revises: 2111d41ea64b
Create Date: 2026-12-02 18:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1f0c2a9d47'
down_revision = '2111d41ea64b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('risk_levels', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evaluated_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('obligations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('performed_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE obligations SET performed_at = COALESCE(confirmed_at, created_at) "
               "WHERE status <> 'open'")


def downgrade():
    with op.batch_alter_table('obligations', schema=None) as batch_op:
        batch_op.drop_column('performed_at')
    with op.batch_alter_table('risk_levels', schema=None) as batch_op:
        batch_op.drop_column('evaluated_at')
