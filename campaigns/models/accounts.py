"""Who may use the admin and the API, what they did, and the clinic they work for."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from campaigns.models.base import Base, status_column
from campaigns.statuses import Role


class User(Base):
    """A person who signs in to the admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(status_column(Role))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]
    totp_secret: Mapped[str | None] = mapped_column(String(64))  # base32; set once two-factor is on
    password_changed_at: Mapped[datetime | None]  # a set-password link made before this is spent


class SignInSession(Base):
    """One signed-in browser; ending it signs that browser out at once, whatever its cookie says."""

    __tablename__ = "sign_in_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(40))


class RecoveryCode(Base):
    """A one-use code that signs a user in when their authenticator app is lost; only its hash is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]


class ApiToken(Base):
    """A bearer token for the JSON API; only its hash is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(20))  # read | write
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class AuditLog(Base):
    """One thing a person did that an administrator may need to account for."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(60), index=True)
    target: Mapped[str | None] = mapped_column(String(120))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip_address: Mapped[str | None] = mapped_column(String(45))


class ClinicProfile(Base):
    """The clinic's own details, shown on public pages and in every email (one row)."""

    __tablename__ = "clinic_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    postal_address: Mapped[str] = mapped_column(String(300))
    website_url: Mapped[str | None] = mapped_column(String(300))
    notification_email: Mapped[str | None] = mapped_column(String(320))
    timezone: Mapped[str] = mapped_column(String(64))
    brand_color: Mapped[str] = mapped_column(String(7), default="#1f5f8b")
    privacy_notice: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]
    # Filled in from the environment at the first `seed`; the admin's settings page owns them after.
    from_name: Mapped[str | None] = mapped_column(String(120))
    from_email: Mapped[str | None] = mapped_column(String(320))
    reply_to: Mapped[str | None] = mapped_column(String(320))
    embed_allowed_origins: Mapped[list[str] | None] = mapped_column(JSON)
    utm_params: Mapped[str | None] = mapped_column(String(500))  # a query string: utm_source=...&...
    privacy_contact: Mapped[str | None] = mapped_column(Text)
    clinic_offers: Mapped[str | None] = mapped_column(String(300))  # "sells ...", disclosed in emails
    consultation_cost: Mapped[str | None] = mapped_column(String(300))
    consultation_host: Mapped[str | None] = mapped_column(String(300))
    track_engagement: Mapped[bool] = mapped_column(default=True)


class Alert(Base):
    """Something an administrator must act on; an open provider outage pauses all sending."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    message: Mapped[str] = mapped_column(Text)
    opened_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
