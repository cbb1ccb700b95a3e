"""Subscribers for other systems: keyset pages with filters, and one person's sequences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import Enrollment, Subscriber
from campaigns.statuses import SubscriberStatus


@dataclass(frozen=True)
class SubscriberFilter:
    """What a page of subscribers is limited to."""

    status: SubscriberStatus | None = None
    sequence_id: int | None = None
    updated_since: datetime | None = None


def subscriber_page(session: Session, after_id: int, limit: int, where: SubscriberFilter) -> list[Subscriber]:
    """Return up to `limit` subscribers with ids above `after_id`, oldest first.

    Keyset order by id: rows added while a client pages through appear on a later page and
    none is skipped or repeated.
    """
    query = select(Subscriber).where(Subscriber.id > after_id).order_by(Subscriber.id).limit(limit)
    if where.status is not None:
        query = query.where(Subscriber.status == where.status)
    if where.updated_since is not None:
        query = query.where(Subscriber.updated_at >= where.updated_since)
    if where.sequence_id is not None:
        enrolled = select(Enrollment.subscriber_id).where(Enrollment.sequence_id == where.sequence_id)
        query = query.where(Subscriber.id.in_(enrolled))
    return list(session.scalars(query))


def enrollments_of(session: Session, subscriber_id: int) -> list[Enrollment]:
    """Return a subscriber's places in sequences."""
    query = select(Enrollment).where(Enrollment.subscriber_id == subscriber_id).order_by(Enrollment.id)
    return list(session.scalars(query))
