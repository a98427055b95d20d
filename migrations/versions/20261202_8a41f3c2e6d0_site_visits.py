"""site visits

``visits`` (a mediator's trip to a project: room, start, end) and ``visit_cases`` (the cases
it serves) — docs/on-site.md.

Revision ID: 8a41f3c2e6d0
Revises: 5e1c0a7d9b42
Create Date: 2026-12-02 07:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '8a41f3c2e6d0'
down_revision = '5e1c0a7d9b42'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('court_id', sa.Integer(), nullable=False),
    sa.Column('mediator_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('room', sa.String(length=100), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_visits_ends_after_start')),
    sa.ForeignKeyConstraint(['court_id'], ['courts.id'], name=op.f('fk_visits_court_id_courts')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_visits_created_by_id_users')),
    sa.ForeignKeyConstraint(['mediator_id'], ['mediators.id'], name=op.f('fk_visits_mediator_id_mediators')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_visits_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visits'))
    )
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.create_index('ix_visits_court_starts', ['court_id', 'starts_at'], unique=False)
        batch_op.create_index('ix_visits_mediator_starts', ['mediator_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_visits_project_id'), ['project_id'], unique=False)
    op.create_table('visit_cases',
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_visit_cases_case_id_cases')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_visit_cases_visit_id_visits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('visit_id', 'case_id', name=op.f('pk_visit_cases'))
    )
    with op.batch_alter_table('visit_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_cases_case_id'), ['case_id'], unique=False)


def downgrade():
    with op.batch_alter_table('visit_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_cases_case_id'))
    op.drop_table('visit_cases')
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visits_project_id'))
        batch_op.drop_index('ix_visits_mediator_starts')
        batch_op.drop_index('ix_visits_court_starts')
    op.drop_table('visits')
