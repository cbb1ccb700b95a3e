"""a published version keeps the reason an admin gave for publishing past a blocking claim

Revision ID: 0006_content
Revises: 0005_admin
Create Date: 2026-12-03 13:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006_content'
down_revision = '0005_admin'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('step_versions') as batch:
        batch.add_column(sa.Column('override_reason', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('step_versions') as batch:
        batch.drop_column('override_reason')
