"""Send one delivery, signed the Standard Webhooks way, and retry with exponential backoff for 24 hours."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from standardwebhooks.webhooks import Webhook

from campaigns.models import WebhookDelivery
from campaigns.statuses import DeliveryStatus

GIVE_UP_AFTER = timedelta(hours=24)
"""A delivery still failing this long after its event is marked failed (and can be replayed)."""

FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=8)
CLAIM_FOR = timedelta(minutes=2)
"""A claimed delivery is not handed out again for this long, so one job sends it."""


@dataclass(frozen=True)
class Answer:
    """What the receiver said: its status (0 if it never answered) and the start of its body."""

    status: int
    text: str


Post = Callable[[str, bytes, dict[str, str]], Answer]
"""Posts a body with headers to a URL and returns the answer (the edge supplies it)."""


def signed_headers(delivery: WebhookDelivery, now: datetime) -> dict[str, str]:
    """Return the webhook-id, webhook-timestamp and webhook-signature headers for this attempt."""
    signature = Webhook(delivery.endpoint.secret).sign(delivery.message_id, now, delivery.body)
    return {
        "Content-Type": "application/json",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }


def claim_due(session: Session, now: datetime, limit: int = 100) -> list[int]:
    """Return the ids of deliveries due now, pushing each one's next attempt back while it is tried."""
    due = (
        select(WebhookDelivery.id)
        .where(WebhookDelivery.status == DeliveryStatus.PENDING, WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(limit)
    )
    ids = list(session.scalars(due.with_for_update(skip_locked=True)))
    if ids:
        session.execute(
            update(WebhookDelivery).where(WebhookDelivery.id.in_(ids)).values(next_attempt_at=now + CLAIM_FOR)
        )
    return ids


def attempt(session: Session, delivery_id: int, post: Post, now: datetime) -> DeliveryStatus | None:
    """Try one delivery; record the answer and when to try again. None if it is not pending."""
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.status != DeliveryStatus.PENDING or delivery.endpoint.removed_at:
        return None
    answer = post(delivery.endpoint.url, delivery.body.encode(), signed_headers(delivery, now))
    delivery.attempts += 1
    delivery.last_attempt_at, delivery.last_status_code = now, answer.status or None
    delivery.last_answer = answer.text[:500]
    if 200 <= answer.status < 300:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = DeliveryStatus.DELIVERED, now, None
    else:
        wait = min(FIRST_RETRY * 2 ** (delivery.attempts - 1), LONGEST_WAIT)
        if now + wait > delivery.created_at + GIVE_UP_AFTER:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        else:
            delivery.next_attempt_at = now + wait
    return delivery.status


def replay(session: Session, delivery: WebhookDelivery, now: datetime) -> WebhookDelivery:
    """Queue an event again for its endpoint, with the same webhook-id so the receiver can dedupe."""
    again = WebhookDelivery(
        endpoint_id=delivery.endpoint_id,
        message_id=delivery.message_id,
        event_type=delivery.event_type,
        body=delivery.body,
        status=DeliveryStatus.PENDING,
        created_at=now,
        next_attempt_at=now,
    )
    session.add(again)
    session.flush()
    return again


def recent_deliveries(session: Session, limit: int = 50) -> list[WebhookDelivery]:
    """Return the newest deliveries for the log, newest first."""
    query = select(WebhookDelivery).order_by(WebhookDelivery.id.desc()).limit(limit)
    return list(session.scalars(query))
