"""What was sent, and what came of it: sends, links, events and conversions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaigns.models.audience import Subscriber
from campaigns.models.base import Base, status_column
from campaigns.models.sequences import Enrollment, Step
from campaigns.statuses import SendStatus


class Send(Base):
    """One email to one subscriber for one step; it exists before the provider is called."""

    __tablename__ = "sends"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "step_id"),  # nobody gets the same step twice
        Index("ix_sends_status_queued_at", "status", "queued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id"))
    step_id: Mapped[int] = mapped_column(ForeignKey("steps.id"), index=True)
    step_version_id: Mapped[int | None] = mapped_column(ForeignKey("step_versions.id"))
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    status: Mapped[SendStatus] = mapped_column(status_column(SendStatus))
    queued_at: Mapped[datetime]
    retry_at: Mapped[datetime | None]  # queued again after a passing failure, not before this
    attempts: Mapped[int] = mapped_column(default=0)
    attempted_at: Mapped[datetime | None]  # when the provider was called; renewed while the call lasts
    job_id: Mapped[str | None] = mapped_column(String(64))  # the queued job that carries it to a worker
    sent_at: Mapped[datetime | None]
    provider_message_id: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(Text)
    # The first time each thing happened to this email: unique counts are rolled up from these.
    delivered_at: Mapped[datetime | None]
    bounced_at: Mapped[datetime | None]
    opened_at: Mapped[datetime | None]
    human_opened_at: Mapped[datetime | None]
    clicked_at: Mapped[datetime | None]
    human_clicked_at: Mapped[datetime | None]

    enrollment: Mapped[Enrollment] = relationship()
    step: Mapped[Step] = relationship()
    subscriber: Mapped[Subscriber] = relationship()


class Link(Base):
    """A link in a published step version, tracked by its id."""

    __tablename__ = "links"
    __table_args__ = (UniqueConstraint("step_version_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    step_version_id: Mapped[int] = mapped_column(ForeignKey("step_versions.id"))
    position: Mapped[int]
    url: Mapped[str] = mapped_column(Text)


class Event(Base):
    """Something that happened to a send: delivered, opened, clicked, bounced, ..."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_send_kind", "send_id", "kind"),
        Index("ix_events_subscriber_kind_time", "subscriber_id", "kind", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    send_id: Mapped[int | None] = mapped_column(ForeignKey("sends.id"))
    subscriber_id: Mapped[int | None] = mapped_column(ForeignKey("subscribers.id"))
    link_id: Mapped[int | None] = mapped_column(ForeignKey("links.id"))
    kind: Mapped[str] = mapped_column(String(30))
    occurred_at: Mapped[datetime]
    automated: Mapped[bool] = mapped_column(default=False)  # scanner or privacy proxy
    provider_event_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)  # provider retries change ids
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class StatRollup(Base):
    """A running count of one metric for one step version on one day, kept as events arrive."""

    __tablename__ = "stat_rollups"
    __table_args__ = (UniqueConstraint("step_version_id", "day", "metric"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    step_version_id: Mapped[int] = mapped_column(ForeignKey("step_versions.id"))
    day: Mapped[date]
    metric: Mapped[str] = mapped_column(String(40))
    count: Mapped[int] = mapped_column(default=0)


class LinkRollup(Base):
    """Running click counts of one link."""

    __tablename__ = "link_rollups"

    link_id: Mapped[int] = mapped_column(ForeignKey("links.id"), primary_key=True)
    clicks: Mapped[int] = mapped_column(default=0)
    human_clicks: Mapped[int] = mapped_column(default=0)


class Conversion(Base):
    """A booked consultation, the goal every sequence leads to."""

    __tablename__ = "conversions"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int | None] = mapped_column(ForeignKey("subscribers.id"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    sequence_id: Mapped[int | None] = mapped_column(ForeignKey("sequences.id"))
    attributed_step_id: Mapped[int | None] = mapped_column(ForeignKey("steps.id"))
    source: Mapped[str] = mapped_column(String(20))  # form | api
    occurred_at: Mapped[datetime]
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
