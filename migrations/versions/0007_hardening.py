"""signup attempts decided in a job; what each consent record typed

Revision ID: 0007_hardening
Revises: 0005_admin
Create Date: 2026-12-03 13:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import campaigns.models.base

revision = '0007_hardening'
down_revision = '0006_content'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('signup_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=True),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('page', sa.String(length=500), nullable=True),
    sa.Column('ip_address', sa.String(length=45), nullable=True),
    sa.Column('user_agent', sa.String(length=500), nullable=True),
    sa.Column('consent_text', sa.Text(), nullable=False),
    sa.Column('consent_version', sa.String(length=40), nullable=False),
    sa.Column('created_at', campaigns.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signup_attempts'))
    )
    op.create_index(op.f('ix_signup_attempts_created_at'), 'signup_attempts', ['created_at'], unique=False)
    with op.batch_alter_table('consent_records') as batch:
        batch.add_column(sa.Column('first_name', sa.String(length=100), nullable=True))
        batch.add_column(sa.Column('timezone', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('consent_records') as batch:
        batch.drop_column('timezone')
        batch.drop_column('first_name')
    op.drop_index(op.f('ix_signup_attempts_created_at'), table_name='signup_attempts')
    op.drop_table('signup_attempts')
