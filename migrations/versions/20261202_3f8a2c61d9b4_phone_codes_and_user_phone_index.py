"""phone codes (registration, password reset) and an index on users.phone

One-time codes sent by SMS are stored as a keyed hash with their expiry, wrong-guess
count and use; the same rows are the rate-limit ledger per phone and per address.
A homeowner resets a password by phone, so users.phone is indexed.

Revision ID: 3f8a2c61d9b4
Revises: 2d6cbd95c88d
Create Date: 2026-12-02 06:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '3f8a2c61d9b4'
down_revision = '2d6cbd95c88d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'phone_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=16), nullable=False),
        sa.Column('phone', sa.String(length=20), nullable=False),
        sa.Column('code_hmac', sa.String(length=64), nullable=False),
        sa.Column('address', sa.String(length=45), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('consumed_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint("purpose IN ('register', 'reset')",
                           name=op.f('ck_phone_codes_purpose_known')),
        sa.CheckConstraint('attempts >= 0', name=op.f('ck_phone_codes_attempts_nonnegative')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_codes')),
    )
    op.create_index('ix_phone_codes_phone_created', 'phone_codes', ['phone', 'created_at'])
    op.create_index('ix_phone_codes_address_created', 'phone_codes', ['address', 'created_at'])
    with op.batch_alter_table('users') as batch_op:
        batch_op.create_index(batch_op.f('ix_users_phone'), ['phone'], unique=False)


def downgrade():
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_phone'))
    op.drop_index('ix_phone_codes_address_created', table_name='phone_codes')
    op.drop_index('ix_phone_codes_phone_created', table_name='phone_codes')
    op.drop_table('phone_codes')
