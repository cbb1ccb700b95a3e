"""Erase a person on request: their address and consent evidence go; anonymous counts stay."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from campaigns.exits import end_enrollments
from campaigns.models import ConsentRecord, Conversion, Event, Subscriber, Suppression
from campaigns.statuses import SubscriberStatus

ERASED_DOMAIN = "erased.invalid"
"""Erased subscribers keep a placeholder address here (RFC 2606: it can never receive mail)."""


def erase_subscriber(session: Session, subscriber: Subscriber, now: datetime) -> None:
    """Remove a subscriber's personal data, ending their sequences; sends and rollups stay as counts."""
    email = subscriber.email
    end_enrollments(session, subscriber.id, "erased", now)
    session.execute(delete(ConsentRecord).where(ConsentRecord.subscriber_id == subscriber.id))
    session.execute(delete(Suppression).where(Suppression.email == email))
    session.execute(
        update(Conversion)
        .where(Conversion.email == email)
        .values(email=f"erased-{subscriber.id}@{ERASED_DOMAIN}", details={})
    )
    session.execute(update(Event).where(Event.subscriber_id == subscriber.id).values(data={}))
    subscriber.email = f"erased-{subscriber.id}@{ERASED_DOMAIN}"
    subscriber.first_name = subscriber.timezone = None
    subscriber.status = SubscriberStatus.UNSUBSCRIBED
    subscriber.unsubscribed_at = subscriber.unsubscribed_at or now
    session.flush()
