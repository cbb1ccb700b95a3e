"""A visitor signs up: one answer for everyone, a consent record, and a confirmation owed.

Whatever state the address is in, the caller gives the visitor the same answer, so nobody can
learn who is on the list. Only the returned outcome says whether a confirmation email is owed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campaigns.models import ConsentRecord, Sequence, Subscriber, Suppression
from campaigns.sequences.joining import count_signup, is_in, join_confirmed, sequence_for
from campaigns.statuses import SubscriberStatus, SuppressionReason

CHANNELS = ("form", "embed", "api", "import")


@dataclass(frozen=True)
class Signup:
    """One signup, already validated and normalized."""

    email: str
    first_name: str | None
    timezone: str | None
    channel: str  # form | embed | api | import
    page: str | None
    ip_address: str | None
    user_agent: str | None
    consent_text: str
    consent_version: str
    sequence_id: int | None = None  # None: the default sequence


def blocking_suppression(session: Session, email: str) -> Suppression | None:
    """Return the suppression that forbids mailing `email` even a confirmation, if any.

    An unsubscribe does not block a confirmation request: a person who left may come back,
    by confirming again. Bounces, complaints and manual suppressions block everything.
    """
    return session.scalar(
        select(Suppression).where(
            Suppression.email == email, Suppression.reason != SuppressionReason.UNSUBSCRIBED
        )
    )


def sign_up(
    session: Session, signup: Signup, now: datetime, fallback_zone: str = "UTC"
) -> ConsentRecord | None:
    """Record the signup; return the consent record a confirmation is owed for, or None.

    A confirmed subscriber who signs up for another sequence joins it at once: the address
    is confirmed already. The signup still leaves its own consent record.
    """
    if blocking_suppression(session, signup.email):
        return None
    subscriber = _find_or_create(session, signup, now)
    sequence = sequence_for(session, signup.sequence_id)
    if subscriber.status == SubscriberStatus.ACTIVE:
        if sequence is None or is_in(session, subscriber, sequence):
            return None  # nothing new to join
        record = _record(session, subscriber, signup, sequence, now)
        join_confirmed(session, subscriber, record, ZoneInfo(subscriber.timezone or fallback_zone), now)
        return None
    if subscriber.status not in (SubscriberStatus.PENDING, SubscriberStatus.UNSUBSCRIBED):
        return None  # bounced or complained: nothing to confirm
    if subscriber.status == SubscriberStatus.PENDING:
        subscriber.first_name = signup.first_name or subscriber.first_name
        subscriber.timezone = signup.timezone or subscriber.timezone
    return _record(session, subscriber, signup, sequence, now)


def _record(
    session: Session, subscriber: Subscriber, signup: Signup, sequence: Sequence | None, now: datetime
) -> ConsentRecord:
    """Store the evidence of this signup, and count it towards its sequence."""
    record = ConsentRecord(
        subscriber=subscriber,
        sequence_id=sequence.id if sequence else None,
        email=signup.email,
        created_at=now,
        ip_address=signup.ip_address,
        user_agent=signup.user_agent,
        source=signup.channel,
        page=signup.page,
        consent_text=signup.consent_text,
        consent_version=signup.consent_version,
    )
    session.add(record)
    session.flush()
    count_signup(session, record, now)
    return record


def _find_or_create(session: Session, signup: Signup, now: datetime) -> Subscriber:
    """Return the subscriber for the address, creating a pending one; safe when two race."""
    existing = session.scalar(select(Subscriber).where(Subscriber.email == signup.email))
    if existing:
        return existing
    subscriber = Subscriber(
        email=signup.email,
        first_name=signup.first_name,
        timezone=signup.timezone,
        status=SubscriberStatus.PENDING,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(subscriber)
    except IntegrityError:  # the same address signed up at the same moment elsewhere
        return session.scalars(select(Subscriber).where(Subscriber.email == signup.email)).one()
    return subscriber
