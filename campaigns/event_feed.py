"""One feed of what happened, for a warehouse to follow: sends, opens, clicks, unsubscribes, bookings.

Each source is read in its own keyset order and the feed's position holds one place per source,
so rows written while a client follows are never skipped. Sends are ordered by when they were
sent and shown once SEND_SETTLE has passed, so a batch that commits late still lands after the
place a client has reached.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import islice

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from campaigns.models import Conversion, Event, Link, Send

SEND_SETTLE = timedelta(minutes=2)
"""How long after sending a send appears in the feed (longer than any delivery transaction)."""

EVENT_KINDS = {
    "open": "open",
    "click": "click",
    "unsubscribe": "unsubscribe",
    "provider.delivered": "delivered",
    "provider.bounce": "bounce",
    "provider.spamreport": "complaint",
}
"""Stored event kinds the feed carries, and the names it gives them."""

EPOCH = "1970-01-01T00:00:00+00:00"


@dataclass(frozen=True)
class FeedPosition:
    """Where a client stands in each source."""

    event_id: int = 0
    conversion_id: int = 0
    send_at: str = EPOCH
    send_id: int = 0


@dataclass(frozen=True)
class FeedItem:
    """One thing that happened."""

    id: str
    type: str
    occurred_at: datetime
    subscriber_id: int | None
    send_id: int | None = None
    step_id: int | None = None
    sequence_id: int | None = None
    url: str | None = None
    automated: bool = False


def read_feed(
    session: Session, at: FeedPosition, limit: int, now: datetime
) -> tuple[list[FeedItem], FeedPosition]:
    """Return up to `limit` items after `at`, roughly oldest first, and the position after them."""
    sources = [_events(session, at, limit), _conversions(session, at, limit), _sends(session, at, limit, now)]
    # Merging by the heads only takes a prefix of each source, so the position never jumps a row.
    taken = list(islice(heapq.merge(*sources, key=lambda item: item.occurred_at), limit))
    return taken, advance(at, taken)


def advance(at: FeedPosition, taken: list[FeedItem]) -> FeedPosition:
    """Return the position just after `taken`, items this feed gave from `at`."""
    for item in taken:
        source, _, number = item.id.rpartition("-")
        if source == "event":
            at = replace(at, event_id=int(number))
        elif source == "booking":
            at = replace(at, conversion_id=int(number))
        else:
            at = replace(at, send_at=item.occurred_at.isoformat(), send_id=int(number))
    return at


def _events(session: Session, at: FeedPosition, limit: int) -> list[FeedItem]:
    rows = session.execute(
        select(Event, Link.url)
        .outerjoin(Link, Link.id == Event.link_id)
        .where(Event.id > at.event_id, Event.kind.in_(EVENT_KINDS))
        .order_by(Event.id)
        .limit(limit)
    )
    return [
        FeedItem(
            f"event-{e.id}", EVENT_KINDS[e.kind], e.occurred_at, e.subscriber_id, e.send_id, url=url,
            automated=e.automated,
        )
        for e, url in rows
    ]  # fmt: skip


def _conversions(session: Session, at: FeedPosition, limit: int) -> list[FeedItem]:
    query = select(Conversion).where(Conversion.id > at.conversion_id).order_by(Conversion.id).limit(limit)
    return [
        FeedItem(
            f"booking-{c.id}", "booking", c.occurred_at, c.subscriber_id, step_id=c.attributed_step_id,
            sequence_id=c.sequence_id,
        )
        for c in session.scalars(query)
    ]  # fmt: skip


def _sends(session: Session, at: FeedPosition, limit: int, now: datetime) -> list[FeedItem]:
    after = datetime.fromisoformat(at.send_at)
    query = (
        select(Send.id, Send.sent_at, Send.subscriber_id, Send.step_id)
        .where(
            Send.sent_at.is_not(None),
            Send.sent_at <= now - SEND_SETTLE,
            or_(Send.sent_at > after, and_(Send.sent_at == after, Send.id > at.send_id)),
        )
        .order_by(Send.sent_at, Send.id)
        .limit(limit)
    )
    return [
        FeedItem(f"send-{send_id}", "send", sent_at, subscriber_id, send_id, step_id=step_id)
        for send_id, sent_at, subscriber_id, step_id in session.execute(query)
        if sent_at is not None
    ]
