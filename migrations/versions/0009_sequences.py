"""many sequences with their own pages, subject tests, and signup rollups per sequence

Revision ID: 0009_sequences
Revises: 0007_hardening
Create Date: 2026-12-03 12:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009_sequences'
down_revision = '0008_totp_steps'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sequences') as batch:
        batch.add_column(sa.Column('description', sa.Text(), nullable=False, server_default=''))
        batch.add_column(sa.Column('landing_heading', sa.String(length=200), nullable=False, server_default=''))
        batch.add_column(sa.Column('landing_text', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('steps') as batch:
        batch.add_column(sa.Column('subject_b', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('ab_sample_size', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('ab_winner', sa.String(length=1), nullable=True))
    with op.batch_alter_table('step_versions') as batch:
        batch.add_column(sa.Column('variant', sa.String(length=1), nullable=False, server_default='a'))
        batch.drop_constraint('uq_step_versions_step_id_version', type_='unique')
        batch.create_unique_constraint(
            'uq_step_versions_step_id_version_variant', ['step_id', 'version', 'variant']
        )
    with op.batch_alter_table('consent_records') as batch:
        batch.add_column(sa.Column('sequence_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(
            'fk_consent_records_sequence_id_sequences', 'sequences', ['sequence_id'], ['id']
        )
    with op.batch_alter_table('signup_attempts') as batch:
        batch.add_column(sa.Column('sequence_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(
            'fk_signup_attempts_sequence_id_sequences', 'sequences', ['sequence_id'], ['id']
        )
    op.create_table('sequence_rollups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sequence_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('metric', sa.String(length=40), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['sequence_id'], ['sequences.id'], name=op.f('fk_sequence_rollups_sequence_id_sequences')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sequence_rollups')),
    sa.UniqueConstraint('sequence_id', 'day', 'metric', name=op.f('uq_sequence_rollups_sequence_id_day_metric'))
    )


def downgrade() -> None:
    op.drop_table('sequence_rollups')
    with op.batch_alter_table('signup_attempts') as batch:
        batch.drop_constraint('fk_signup_attempts_sequence_id_sequences', type_='foreignkey')
        batch.drop_column('sequence_id')
    with op.batch_alter_table('consent_records') as batch:
        batch.drop_constraint('fk_consent_records_sequence_id_sequences', type_='foreignkey')
        batch.drop_column('sequence_id')
    with op.batch_alter_table('step_versions') as batch:
        batch.drop_constraint('uq_step_versions_step_id_version_variant', type_='unique')
        batch.create_unique_constraint('uq_step_versions_step_id_version', ['step_id', 'version'])
        batch.drop_column('variant')
    with op.batch_alter_table('steps') as batch:
        batch.drop_column('ab_winner')
        batch.drop_column('ab_sample_size')
        batch.drop_column('subject_b')
    with op.batch_alter_table('sequences') as batch:
        batch.drop_column('landing_text')
        batch.drop_column('landing_heading')
        batch.drop_column('description')
