"""sign-in sessions, two-factor codes, audited addresses and the clinic's settings

Revision ID: 0005_admin
Revises: 0004
Create Date: 2026-12-03 12:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import campaigns.models.base

revision = '0005_admin'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sign_in_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', campaigns.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ip_address', sa.String(length=45), nullable=True),
    sa.Column('user_agent', sa.String(length=300), nullable=True),
    sa.Column('ended_at', campaigns.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sign_in_sessions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_sign_in_sessions_token_hash'))
    )
    op.create_index(op.f('ix_sign_in_sessions_user_id'), 'sign_in_sessions', ['user_id'], unique=False)
    op.create_table('recovery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', campaigns.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes'))
    )
    op.create_index(op.f('ix_recovery_codes_user_id'), 'recovery_codes', ['user_id'], unique=False)
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('password_changed_at', campaigns.models.base.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('audit_log') as batch:
        batch.add_column(sa.Column('ip_address', sa.String(length=45), nullable=True))
        batch.create_index(batch.f('ix_audit_log_action'), ['action'], unique=False)
    with op.batch_alter_table('clinic_profile') as batch:
        batch.add_column(sa.Column('from_name', sa.String(length=120), nullable=True))
        batch.add_column(sa.Column('from_email', sa.String(length=320), nullable=True))
        batch.add_column(sa.Column('reply_to', sa.String(length=320), nullable=True))
        batch.add_column(sa.Column('embed_allowed_origins', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('utm_params', sa.String(length=500), nullable=True))
        batch.add_column(sa.Column('privacy_contact', sa.Text(), nullable=True))
        batch.add_column(sa.Column('track_engagement', sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table('clinic_profile') as batch:
        for column in ('track_engagement', 'privacy_contact', 'utm_params', 'embed_allowed_origins',
                       'reply_to', 'from_email', 'from_name'):
            batch.drop_column(column)
    with op.batch_alter_table('audit_log') as batch:
        batch.drop_index(batch.f('ix_audit_log_action'))
        batch.drop_column('ip_address')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('password_changed_at')
        batch.drop_column('totp_secret')
    op.drop_index(op.f('ix_recovery_codes_user_id'), table_name='recovery_codes')
    op.drop_table('recovery_codes')
    op.drop_index(op.f('ix_sign_in_sessions_user_id'), table_name='sign_in_sessions')
    op.drop_table('sign_in_sessions')
