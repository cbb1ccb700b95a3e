"""Webhooks out: the clinic's endpoints, and each delivery of an event to one of them."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaigns.models.base import Base, status_column
from campaigns.statuses import DeliveryStatus


class WebhookEndpoint(Base):
    """A URL of the clinic's that receives the events it chose, signed with its own secret."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    secret: Mapped[str] = mapped_column(String(100))  # whsec_...; needed in full to sign
    created_at: Mapped[datetime]
    removed_at: Mapped[datetime | None]  # removed endpoints get nothing more; their log stays


class WebhookDelivery(Base):
    """One event for one endpoint: the signed body, its attempts and the last answer."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id"), index=True)
    message_id: Mapped[str] = mapped_column(String(40))  # webhook-id: the same on every retry and replay
    event_type: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[DeliveryStatus] = mapped_column(status_column(DeliveryStatus))
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime | None]
    last_status_code: Mapped[int | None]
    last_answer: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None]

    endpoint: Mapped[WebhookEndpoint] = relationship()

    @property
    def payload(self) -> dict[str, Any]:
        """The event as sent."""
        return dict(json.loads(self.body))
