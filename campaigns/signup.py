"""A visitor signs up: one answer for everyone, a consent record, and a confirmation owed.

Whatever state the address is in, the visitor gets the same answer after the same work, so
nobody can learn who is on the list, not even from how long the answer took: the request only
records the attempt (`record_attempt`), and a job decides what it means (`take_attempt`). Only
that outcome says whether a confirmation email is owed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campaigns.models import ConsentRecord, SignupAttempt, Subscriber, Suppression
from campaigns.statuses import SubscriberStatus, SuppressionReason

CHANNELS = ("form", "embed", "api", "import")
ATTEMPT_GRACE = timedelta(minutes=1)
"""How long the sweep leaves a fresh attempt to the job the web queued for it."""


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


def sign_up(session: Session, signup: Signup, now: datetime) -> ConsentRecord | None:
    """Record the signup; return the consent record a confirmation is owed for, or None."""
    if blocking_suppression(session, signup.email):
        return None
    subscriber = _find_or_create(session, signup, now)
    if subscriber.status not in (SubscriberStatus.PENDING, SubscriberStatus.UNSUBSCRIBED):
        return None  # already active, or bounced or complained: nothing to confirm
    # A repeat signup keeps what it typed on its own record: anyone can type any address, so a
    # name or time zone changes only when the person confirms that record.
    record = ConsentRecord(
        subscriber=subscriber,
        email=signup.email,
        created_at=now,
        ip_address=signup.ip_address,
        user_agent=signup.user_agent,
        source=signup.channel,
        page=signup.page,
        consent_text=signup.consent_text,
        consent_version=signup.consent_version,
        first_name=signup.first_name,
        timezone=signup.timezone,
    )
    session.add(record)
    session.flush()
    return record


def record_attempt(session: Session, signup: Signup, now: datetime) -> SignupAttempt:
    """Store a signup as it came, the same insert whatever the address's state; a job decides."""
    attempt = SignupAttempt(
        email=signup.email,
        first_name=signup.first_name,
        timezone=signup.timezone,
        channel=signup.channel,
        page=signup.page,
        ip_address=signup.ip_address,
        user_agent=signup.user_agent,
        consent_text=signup.consent_text,
        consent_version=signup.consent_version,
        created_at=now,
    )
    session.add(attempt)
    session.flush()
    return attempt


def take_attempt(session: Session, attempt_id: int) -> ConsentRecord | None:
    """Decide a recorded attempt as `sign_up` does, as of when it was made, and delete it.

    Returns the consent record a confirmation is owed for, or None (also if another job took it).
    """
    attempt = session.get(SignupAttempt, attempt_id, with_for_update=True)
    if attempt is None:
        return None
    signup = Signup(
        email=attempt.email,
        first_name=attempt.first_name,
        timezone=attempt.timezone,
        channel=attempt.channel,
        page=attempt.page,
        ip_address=attempt.ip_address,
        user_agent=attempt.user_agent,
        consent_text=attempt.consent_text,
        consent_version=attempt.consent_version,
    )
    session.delete(attempt)
    return sign_up(session, signup, attempt.created_at)


def leftover_attempts(session: Session, now: datetime) -> list[int]:
    """Return the ids of attempts whose job never ran (Redis was down), oldest first."""
    return list(
        session.scalars(
            select(SignupAttempt.id)
            .where(SignupAttempt.created_at <= now - ATTEMPT_GRACE)
            .order_by(SignupAttempt.id)
            .limit(1000)
        )
    )


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
