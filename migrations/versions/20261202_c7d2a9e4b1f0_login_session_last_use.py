"""login sessions: last use and address

``login_sessions.last_used_at`` and ``address``: the user's /account/sessions lists each
active web session and API token with when and where it was last used (docs/accounts.md).

Revision ID: c7d2a9e4b1f0
Revises: 31625841eb46
Create Date: 2026-12-02 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c7d2a9e4b1f0'
down_revision = '31625841eb46'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_used_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('address', sa.String(length=45), nullable=True))


def downgrade():
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_column('address')
        batch_op.drop_column('last_used_at')
