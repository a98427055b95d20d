"""complaints.respondent_name: the respondent's name as the filer typed it

The filer is shown this name, never the register's name for the same ID number (which
would let an opposing party probe who the court knows); the court sees both.

Revision ID: b6c1e2d3a4f5
Revises: 3f6a9c1d2e84
Create Date: 2026-12-02 06:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b6c1e2d3a4f5'
down_revision = '3f6a9c1d2e84'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('respondent_name', sa.String(length=50), nullable=True))


def downgrade():
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_column('respondent_name')
