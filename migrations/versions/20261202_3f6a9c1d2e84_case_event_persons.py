"""case events name people by id, not by name

A timeline entry that names people (the representatives a group chose) keeps their person
ids in ``case_events.person_ids``; each viewer then sees the names as the presentation rule
allows (app.services.people). Entries written before spelled the names into ``reason``
("推选代表人：王海燕、李四"): they are rewritten here — names found among the case's
claimants become ids, any other name is masked in place.

Revision ID: 3f6a9c1d2e84
Revises: 68370f355f3a
Create Date: 2026-12-02 06:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '3f6a9c1d2e84'
down_revision = '68370f355f3a'
branch_labels = None
depends_on = None

PREFIX = '推选代表人'


def _mask(name):
    # mediation.identifiers.mask_name, frozen here: a migration must not change with the code.
    name = name.strip()
    if len(name) <= 1:
        return '*' * max(len(name), 1)
    if len(name) == 2:
        return name[0] + '*'
    return name[0] + '*' * (len(name) - 2) + name[-1]


def upgrade():
    with op.batch_alter_table('case_events') as batch:
        batch.add_column(sa.Column('person_ids', sa.JSON(), nullable=True))

    bind = op.get_bind()
    events = sa.table('case_events', sa.column('id', sa.Integer), sa.column('case_id', sa.Integer),
                      sa.column('reason', sa.Text), sa.column('person_ids', sa.JSON))
    complaints = sa.table('complaints', sa.column('case_id', sa.Integer),
                          sa.column('claimant_person_id', sa.Integer))
    persons = sa.table('persons', sa.column('id', sa.Integer), sa.column('name', sa.String))
    rows = bind.execute(sa.select(events.c.id, events.c.case_id, events.c.reason)
                        .where(events.c.reason.like(PREFIX + '：%'))).all()
    for event_id, case_id, reason in rows:
        claimants = bind.execute(
            sa.select(persons.c.id, persons.c.name)
            .join(complaints, complaints.c.claimant_person_id == persons.c.id)
            .where(complaints.c.case_id == case_id)).all()
        by_name = {}
        for person_id, name in claimants:
            by_name.setdefault(name, person_id)
        names = [n for n in reason[len(PREFIX) + 1:].split('、') if n.strip()]
        ids = [by_name.get(n.strip()) for n in names]
        if names and all(ids):
            values = {'reason': PREFIX, 'person_ids': ids}
        else:
            values = {'reason': PREFIX + '：' + '、'.join(_mask(n) for n in names)}
        bind.execute(events.update().where(events.c.id == event_id).values(**values))


def downgrade():
    with op.batch_alter_table('case_events') as batch:
        batch.drop_column('person_ids')
