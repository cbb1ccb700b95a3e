"""heartbeats of the recurring jobs

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import campaigns.models.base

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('heartbeats',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('succeeded_at', campaigns.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('failed_at', campaigns.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_heartbeats'))
    )


def downgrade() -> None:
    op.drop_table('heartbeats')
