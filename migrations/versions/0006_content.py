"""a published version keeps an admin's reason to publish past a blocking claim; the clinic's disclosures

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


DISCLOSURES = ('clinic_offers', 'consultation_cost', 'consultation_host')


def upgrade() -> None:
    with op.batch_alter_table('step_versions') as batch:
        batch.add_column(sa.Column('override_reason', sa.Text(), nullable=True))
    with op.batch_alter_table('clinic_profile') as batch:
        for column in DISCLOSURES:
            batch.add_column(sa.Column(column, sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('clinic_profile') as batch:
        for column in DISCLOSURES:
            batch.drop_column(column)
    with op.batch_alter_table('step_versions') as batch:
        batch.drop_column('override_reason')
