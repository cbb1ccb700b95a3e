"""The people on the list: subscribers, their consent, and the addresses never to mail."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaigns.models.base import Base, status_column
from campaigns.statuses import SubscriberStatus, SuppressionReason

EMAIL_LENGTH = 320  # RFC 5321: 64 local + @ + 255 domain


def utcnow() -> datetime:
    """The time a row is written."""
    return datetime.now(UTC)


class Subscriber(Base):
    """One person, by normalized email address."""

    __tablename__ = "subscribers"
    __table_args__ = (
        # The admin's search: newest first within a status or a signup source, by keyset.
        Index("ix_subscribers_status_id", "status", "id"),
        Index("ix_subscribers_signup_source_id", "signup_source", "id"),
        # Part of an address or a name: trigram indexes on PostgreSQL (plain ones elsewhere).
        Index(
            "ix_subscribers_email_trgm",
            "email",
            postgresql_using="gin",
            postgresql_ops={"email": "gin_trgm_ops"},
        ),
        Index(
            "ix_subscribers_first_name_trgm",
            "first_name",
            postgresql_using="gin",
            postgresql_ops={"first_name": "gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_LENGTH), unique=True)
    first_name: Mapped[str | None] = mapped_column(String(100))
    timezone: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[SubscriberStatus] = mapped_column(status_column(SubscriberStatus))
    created_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    unsubscribed_at: Mapped[datetime | None]
    paused_until: Mapped[datetime | None]  # "pause these emails for 30 days"
    signup_source: Mapped[str | None] = mapped_column(String(20))  # the channel of the first signup
    erased_at: Mapped[datetime | None]  # a privacy request removed everything personal
    # Set on every change, by the clock at write time, for systems that follow changes.
    updated_at: Mapped[datetime | None] = mapped_column(default=utcnow, onupdate=utcnow, index=True)

    consents: Mapped[list[ConsentRecord]] = relationship(back_populates="subscriber")


class ConsentRecord(Base):
    """The evidence of one signup: who, when, from where, and the exact words they agreed to."""

    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    email: Mapped[str] = mapped_column(String(EMAIL_LENGTH))
    created_at: Mapped[datetime]
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(20))  # form | embed | api | import
    page: Mapped[str | None] = mapped_column(String(500))
    consent_text: Mapped[str] = mapped_column(Text)
    consent_version: Mapped[str] = mapped_column(String(40))
    sequence_id: Mapped[int | None] = mapped_column(ForeignKey("sequences.id"))  # what they signed up for
    confirmation_sent_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    # What this signup typed; it becomes the subscriber's only once this record is confirmed.
    first_name: Mapped[str | None] = mapped_column(String(100))
    timezone: Mapped[str | None] = mapped_column(String(64))
    # An imported person's consent: when the file says they gave it, and who attested to that.
    consent_given_at: Mapped[datetime | None]
    attested_by: Mapped[str | None] = mapped_column(String(EMAIL_LENGTH))
    # Paced confirmations (imports): the email is not sent before this time.
    confirmation_due_at: Mapped[datetime | None] = mapped_column(index=True)

    subscriber: Mapped[Subscriber] = relationship(back_populates="consents")


class Suppression(Base):
    """An address that is never mailed, whatever else says so.

    An erased person's address is kept only as a keyed hash, so that no import or API call can
    add it back while nobody can read it off the list.
    """

    __tablename__ = "suppressions"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(EMAIL_LENGTH), unique=True)
    email_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    reason: Mapped[SuppressionReason] = mapped_column(status_column(SuppressionReason))
    created_at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(String(500))


class SignupAttempt(Base):
    """A signup as the form or the API took it, before anyone looks at the address's state.

    The request stores one of these whatever the address is, so that its answer takes the
    same time for everyone; a job then decides what it means and deletes it.
    """

    __tablename__ = "signup_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_LENGTH))
    first_name: Mapped[str | None] = mapped_column(String(100))
    timezone: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(20))
    page: Mapped[str | None] = mapped_column(String(500))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(500))
    consent_text: Mapped[str] = mapped_column(Text)
    consent_version: Mapped[str] = mapped_column(String(40))
    sequence_id: Mapped[int | None] = mapped_column(ForeignKey("sequences.id"))  # None: the default
    created_at: Mapped[datetime] = mapped_column(index=True)
