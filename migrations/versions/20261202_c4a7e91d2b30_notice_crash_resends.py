"""notice crash resends

A notice taken back from a dispatcher that died while the message may have been in the
mail server's hands is counted (``notices.crash_resends``), so the one duplicate that
at-least-once delivery allows is reported, never silent (docs/notices.md).

Revision ID: c4a7e91d2b30
Revises: c7d2a9e4b1f0
Create Date: 2026-12-02 13:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4a7e91d2b30'
down_revision = 'c7d2a9e4b1f0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('crash_resends', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.create_check_constraint(op.f('ck_notices_crash_resends_nonnegative'),
                                        'crash_resends >= 0')


def downgrade():
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_notices_crash_resends_nonnegative'), type_='check')
        batch_op.drop_column('crash_resends')
