"""Register and remove the clinic's webhook endpoints; each gets a secret shown once."""

from __future__ import annotations

import base64
import secrets
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from campaigns.errors import ValidationError
from campaigns.models import WebhookDelivery, WebhookEndpoint
from campaigns.statuses import DeliveryStatus
from campaigns.webhooks.events import EVENT_TYPES

SECRET_PREFIX = "whsec_"  # noqa: S105 (the Standard Webhooks prefix, not a secret)


def check_url(url: str, allow_http: bool) -> str:
    """Return the URL if deliveries may go there, or raise ValidationError."""
    url = url.strip()
    parts = urlsplit(url)
    schemes = ("https", "http") if allow_http else ("https",)
    if len(url) > 2000 or parts.scheme not in schemes or not parts.hostname or parts.username:
        need = "an http(s)" if allow_http else "an https"
        raise ValidationError(f"the URL must be {need} address such as https://crm.example/hooks")
    return url


def check_events(events: list[str]) -> list[str]:
    """Return the chosen events in a stable order, or raise ValidationError."""
    unknown = sorted(set(events) - set(EVENT_TYPES))
    if unknown or not events:
        raise ValidationError(f"choose events among {', '.join(EVENT_TYPES)}")
    return [e for e in EVENT_TYPES if e in events]


def add_endpoint(
    session: Session, url: str, events: list[str], description: str, now: datetime, allow_http: bool
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; return it with its signing secret (the only time it is shown)."""
    secret = SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()
    endpoint = WebhookEndpoint(
        url=check_url(url, allow_http),
        events=check_events(events),
        description=description.strip()[:200],
        secret=secret,
        created_at=now,
    )
    session.add(endpoint)
    session.flush()
    return endpoint, secret


def live_endpoints(session: Session) -> list[WebhookEndpoint]:
    """Return the endpoints that receive events, oldest first."""
    query = select(WebhookEndpoint).where(WebhookEndpoint.removed_at.is_(None)).order_by(WebhookEndpoint.id)
    return list(session.scalars(query))


def remove_endpoint(session: Session, endpoint: WebhookEndpoint, now: datetime) -> None:
    """Stop delivering to an endpoint at once, pending retries included; its log stays."""
    endpoint.removed_at = now
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.FAILED, next_attempt_at=None, last_answer="endpoint removed")
        .execution_options(synchronize_session="fetch")
    )
