"""people and data: signup sources, imports, erasure hashes on the suppression list

Revision ID: 0010_people
Revises: 0007_hardening
Create Date: 2026-12-03 12:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import campaigns.models.base

revision = '0010_people'
down_revision = '0009_sequences'
branch_labels = None
depends_on = None

UTC_DATETIME = campaigns.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == 'postgresql'
    if postgres:
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    with op.batch_alter_table('subscribers') as batch:
        batch.add_column(sa.Column('signup_source', sa.String(length=20), nullable=True))
        batch.add_column(sa.Column('erased_at', UTC_DATETIME, nullable=True))
    op.execute(
        'UPDATE subscribers SET signup_source = (SELECT c.source FROM consent_records c '
        'WHERE c.subscriber_id = subscribers.id ORDER BY c.id LIMIT 1)'
    )
    op.create_index('ix_subscribers_status_id', 'subscribers', ['status', 'id'])
    op.create_index('ix_subscribers_signup_source_id', 'subscribers', ['signup_source', 'id'])
    for column in ('email', 'first_name'):
        op.create_index(
            f'ix_subscribers_{column}_trgm', 'subscribers', [column],
            postgresql_using='gin', postgresql_ops={column: 'gin_trgm_ops'},
        )
    with op.batch_alter_table('consent_records') as batch:
        batch.add_column(sa.Column('consent_given_at', UTC_DATETIME, nullable=True))
        batch.add_column(sa.Column('attested_by', sa.String(length=320), nullable=True))
        batch.add_column(sa.Column('confirmation_due_at', UTC_DATETIME, nullable=True))
        batch.create_index('ix_consent_records_confirmation_due_at', ['confirmation_due_at'])
    with op.batch_alter_table('suppressions') as batch:
        batch.alter_column('email', existing_type=sa.String(length=320), nullable=True)
        batch.add_column(sa.Column('email_hash', sa.String(length=64), nullable=True))
        batch.create_unique_constraint('uq_suppressions_email_hash', ['email_hash'])
    op.create_table('import_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTC_DATETIME, nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('consent_source', sa.Text(), nullable=False),
    sa.Column('attested_by', sa.String(length=320), nullable=True),
    sa.Column('sequence_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'queued', 'running', 'done', 'failed', name='importstatus', native_enum=False, length=20), nullable=False),
    sa.Column('total_rows', sa.Integer(), nullable=False),
    sa.Column('processed_rows', sa.Integer(), nullable=False),
    sa.Column('imported', sa.Integer(), nullable=False),
    sa.Column('merged', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('finished_at', UTC_DATETIME, nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_import_runs_created_by_id_users')),
    sa.ForeignKeyConstraint(['sequence_id'], ['sequences.id'], name=op.f('fk_import_runs_sequence_id_sequences')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_runs'))
    )
    op.create_table('import_rejects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_run_id', sa.Integer(), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['import_run_id'], ['import_runs.id'], name=op.f('fk_import_rejects_import_run_id_import_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_rejects'))
    )
    op.create_index('ix_import_rejects_import_run_id', 'import_rejects', ['import_run_id'])


def downgrade() -> None:
    op.drop_index('ix_import_rejects_import_run_id', table_name='import_rejects')
    op.drop_table('import_rejects')
    op.drop_table('import_runs')
    op.execute('DELETE FROM suppressions WHERE email IS NULL')
    with op.batch_alter_table('suppressions') as batch:
        batch.drop_constraint('uq_suppressions_email_hash', type_='unique')
        batch.drop_column('email_hash')
        batch.alter_column('email', existing_type=sa.String(length=320), nullable=False)
    with op.batch_alter_table('consent_records') as batch:
        batch.drop_index('ix_consent_records_confirmation_due_at')
        batch.drop_column('confirmation_due_at')
        batch.drop_column('attested_by')
        batch.drop_column('consent_given_at')
    for name in ('ix_subscribers_first_name_trgm', 'ix_subscribers_email_trgm',
                 'ix_subscribers_signup_source_id', 'ix_subscribers_status_id'):
        op.drop_index(name, table_name='subscribers')
    with op.batch_alter_table('subscribers') as batch:
        batch.drop_column('erased_at')
        batch.drop_column('signup_source')
