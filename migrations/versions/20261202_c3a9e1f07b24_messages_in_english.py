"""messages in english

``notices.subject_en`` / ``notices.body_en`` and ``case_events.reason_en``: the English of
a notice and of a timeline entry the platform wrote, so each reader sees their language
(docs/languages.md). Nullable: older rows and reasons typed by a person have none.

Revision ID: c3a9e1f07b24
Revises: 1cdb703a5c77
Create Date: 2026-12-02 13:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3a9e1f07b24'
down_revision = '1cdb703a5c77'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_en', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('body_en', sa.Text(), nullable=True))
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason_en', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.drop_column('reason_en')
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_column('body_en')
        batch_op.drop_column('subject_en')
