"""Ways out of a sequence: a booked consultation, an unsubscribe, a bounce, a complaint.

Each ends the subscriber's enrollments at once and skips any email already queued for them;
the delivery job checks again just before sending, so one already in a worker's hands stops too.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from campaigns.models import Enrollment, Event, Send, Subscriber, Suppression
from campaigns.statuses import EnrollmentStatus, SendStatus, SubscriberStatus, SuppressionReason
from campaigns.webhooks.events import emit

SUBSCRIBER_STATUS_FOR = {
    SuppressionReason.UNSUBSCRIBED: SubscriberStatus.UNSUBSCRIBED,
    SuppressionReason.BOUNCED: SubscriberStatus.BOUNCED,
    SuppressionReason.COMPLAINED: SubscriberStatus.COMPLAINED,
}


def end_enrollments(session: Session, subscriber_id: int, reason: str, now: datetime) -> int:
    """End every active enrollment of a subscriber and skip their queued emails; return how many ended."""
    ended = session.execute(
        update(Enrollment)
        .where(Enrollment.subscriber_id == subscriber_id, Enrollment.status == EnrollmentStatus.ACTIVE)
        .values(status=EnrollmentStatus.EXITED, ended_at=now, exit_reason=reason, next_send_at=None)
        .execution_options(synchronize_session="fetch")
    )
    session.execute(
        update(Send)
        .where(Send.subscriber_id == subscriber_id, Send.status == SendStatus.QUEUED)
        .values(status=SendStatus.SKIPPED, error=f"subscriber left the sequence: {reason}")
        .execution_options(synchronize_session="fetch")
    )
    return int(ended.rowcount or 0)  # type: ignore[attr-defined]


def suppress(
    session: Session, email: str, reason: SuppressionReason, now: datetime, note: str | None = None
) -> Suppression:
    """Never mail `email` again: record why, update the subscriber and end their sequences."""
    suppression = session.scalar(select(Suppression).where(Suppression.email == email))
    if suppression is None:
        suppression = Suppression(email=email, reason=reason, created_at=now, note=note)
        session.add(suppression)
    elif reason != SuppressionReason.UNSUBSCRIBED:
        suppression.reason = reason  # a bounce or complaint outweighs an unsubscribe
    subscriber = session.scalar(select(Subscriber).where(Subscriber.email == email))
    if subscriber is not None:
        _report(session, subscriber, reason, now)
        if reason in SUBSCRIBER_STATUS_FOR:
            subscriber.status = SUBSCRIBER_STATUS_FOR[reason]
        if reason == SuppressionReason.UNSUBSCRIBED:
            subscriber.unsubscribed_at = now
        end_enrollments(session, subscriber.id, str(reason), now)
    session.flush()
    return suppression


def _report(session: Session, subscriber: Subscriber, reason: SuppressionReason, now: datetime) -> None:
    """Tell other systems a person left or was suppressed, once per change; log unsubscribes for the feed."""
    becomes = SUBSCRIBER_STATUS_FOR.get(reason)
    if becomes is not None and subscriber.status == becomes:
        return  # nothing changed: a provider's retry, or a second click
    ids = {"subscriber_id": subscriber.id, "email": subscriber.email}
    if reason == SuppressionReason.UNSUBSCRIBED:
        session.add(Event(subscriber_id=subscriber.id, kind="unsubscribe", occurred_at=now, data={}))
        emit(session, "subscriber.unsubscribed", ids, now)
    else:
        emit(session, "subscriber.suppressed", {**ids, "reason": str(reason)}, now)


def unsubscribe(session: Session, subscriber: Subscriber, now: datetime) -> None:
    """Unsubscribe a person from everything, at once."""
    suppress(session, subscriber.email, SuppressionReason.UNSUBSCRIBED, now)


def goal_reached(session: Session, subscriber: Subscriber, now: datetime) -> int:
    """End a subscriber's sequences because they booked a consultation."""
    return end_enrollments(session, subscriber.id, "booked", now)


PAUSE = timedelta(days=30)


def pause_ends(subscriber: Subscriber, now: datetime) -> datetime | None:
    """Return when a subscriber's pause ends, or None if they are not paused now."""
    until = subscriber.paused_until
    return until if until is not None and until > now else None


def pause_emails(subscriber: Subscriber, now: datetime) -> datetime:
    """Hold every email to a subscriber for 30 days; their place in each sequence is kept."""
    subscriber.paused_until = now + PAUSE
    return subscriber.paused_until
