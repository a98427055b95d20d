"""data versions for the page cache

One row per kind of cached data; its token changes whenever a tracked table changes
(app.models.versions). The row starts with a random token, so pages are cached from
the first request on.

Revision ID: 5c1e0d2b7a41
Revises: 29efffa9713a
Create Date: 2026-11-27 15:00:00.000000

"""
import secrets

from alembic import op
import sqlalchemy as sa

revision = '5c1e0d2b7a41'
down_revision = '29efffa9713a'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'data_versions',
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_data_versions')),
    )
    op.bulk_insert(table, [{'name': 'case_lists', 'token': secrets.token_hex(8)}])


def downgrade():
    op.drop_table('data_versions')
