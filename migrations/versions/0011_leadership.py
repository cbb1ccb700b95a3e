"""the cron leader's lease, and the job that carries each send

Revision ID: 0011_leadership
Revises: 0005_admin
Create Date: 2026-12-03 12:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import campaigns.models.base

revision = '0011_leadership'
down_revision = '0010_people'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('leases',
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=False),
    sa.Column('token', sa.BigInteger(), nullable=False),
    sa.Column('expires_at', campaigns.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('role', name=op.f('pk_leases'))
    )
    with op.batch_alter_table('sends') as batch_op:
        batch_op.add_column(sa.Column('job_id', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('sends') as batch_op:
        batch_op.drop_column('job_id')
    op.drop_table('leases')
