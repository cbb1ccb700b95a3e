"""the last two-factor step used, so a code is never accepted twice

Revision ID: 0008_totp_steps
Revises: 0007_hardening
Create Date: 2026-12-03 13:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008_totp_steps'
down_revision = '0007_hardening'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('totp_last_step')
