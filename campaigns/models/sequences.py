"""Sequences of timed steps, the versions marketers publish, and who is where in them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaigns.models.base import Base, status_column
from campaigns.statuses import EnrollmentStatus, SequenceStatus

EVERY_DAY = 0b1111111  # bit 0 is Monday, bit 6 is Sunday


class Sequence(Base):
    """An ordered series of emails that one subscriber moves through."""

    __tablename__ = "sequences"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    status: Mapped[SequenceStatus] = mapped_column(status_column(SequenceStatus))
    is_default: Mapped[bool] = mapped_column(default=False)  # new confirmations enroll here
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    steps: Mapped[list[Step]] = relationship(
        back_populates="sequence", order_by="Step.position", cascade="all, delete-orphan"
    )


class Step(Base):
    """One email of a sequence: when it goes out and the draft marketers edit.

    A step keeps its identity when others are inserted or removed around it, so subscribers
    keep their place; a removed step is marked deleted, not erased, because sends point at it.
    """

    __tablename__ = "steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    sequence_id: Mapped[int] = mapped_column(ForeignKey("sequences.id"), index=True)
    position: Mapped[int]
    delay_minutes: Mapped[int]  # after enrollment (first step) or after the previous send
    window_start_hour: Mapped[int] = mapped_column(default=9)  # local hour, inclusive
    window_end_hour: Mapped[int] = mapped_column(default=17)  # local hour, exclusive
    window_weekdays: Mapped[int] = mapped_column(default=EVERY_DAY)
    subject: Mapped[str] = mapped_column(String(200))
    preheader: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    deleted_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    sequence: Mapped[Sequence] = relationship(back_populates="steps")
    versions: Mapped[list[StepVersion]] = relationship(back_populates="step", order_by="StepVersion.version")


class StepVersion(Base):
    """A published, frozen copy of a step's content; sends and stats point at it."""

    __tablename__ = "step_versions"
    __table_args__ = (UniqueConstraint("step_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("steps.id"))
    version: Mapped[int]
    subject: Mapped[str] = mapped_column(String(200))
    preheader: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    override_reason: Mapped[str | None] = mapped_column(Text)  # an admin's, past a blocking claim

    step: Mapped[Step] = relationship(back_populates="versions")


class Enrollment(Base):
    """One subscriber's place in one sequence: the next step and when it is due."""

    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("subscriber_id", "sequence_id"),
        # The planner's due-time scan: active enrollments by due time, then id for keysets.
        Index("ix_enrollments_due", "status", "next_send_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"))
    sequence_id: Mapped[int] = mapped_column(ForeignKey("sequences.id"), index=True)
    status: Mapped[EnrollmentStatus] = mapped_column(status_column(EnrollmentStatus))
    next_step_id: Mapped[int | None] = mapped_column(ForeignKey("steps.id"))
    next_send_at: Mapped[datetime | None]
    enrolled_at: Mapped[datetime]
    last_sent_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    exit_reason: Mapped[str | None] = mapped_column(String(40))

    sequence: Mapped[Sequence] = relationship()
    next_step: Mapped[Step | None] = relationship()
