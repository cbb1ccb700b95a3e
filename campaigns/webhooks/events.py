"""The events other systems may follow, queued for each endpoint that chose them with the change itself.

A delivery row is written in the same transaction as what it reports, so no event is lost when
Redis or the receiver is away; the delivery job sends it later. Payloads carry ids and the address
only, never names, consent text or what a person typed.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import WebhookDelivery, WebhookEndpoint
from campaigns.statuses import DeliveryStatus

EVENT_TYPES = (
    "subscriber.confirmed",
    "subscriber.unsubscribed",
    "subscriber.suppressed",
    "conversion.created",
    "send.bounced",
    "send.complained",
)
"""Every event an endpoint may subscribe to."""


def emit(session: Session, event_type: str, data: dict[str, Any], now: datetime) -> int:
    """Queue one delivery of the event per live endpoint that chose it; return how many."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event {event_type}")
    endpoints = session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.removed_at.is_(None))).all()
    chosen = [e for e in endpoints if event_type in e.events]
    if not chosen:
        return 0
    message_id = "msg_" + secrets.token_urlsafe(18)
    body = json.dumps(
        {"type": event_type, "timestamp": now.isoformat().replace("+00:00", "Z"), "data": data},
        separators=(",", ":"),
    )
    for endpoint in chosen:
        session.add(
            WebhookDelivery(
                endpoint_id=endpoint.id,
                message_id=message_id,
                event_type=event_type,
                body=body,
                status=DeliveryStatus.PENDING,
                created_at=now,
                next_attempt_at=now,
            )
        )
    return len(chosen)
