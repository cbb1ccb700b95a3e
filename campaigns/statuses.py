"""Every status the engine stores, one StrEnum per kind of row."""

from __future__ import annotations

from enum import StrEnum


class SubscriberStatus(StrEnum):
    """Where a person stands with the list."""

    PENDING = "pending"  # signed up, not yet confirmed: never mailed but for the confirmation
    ACTIVE = "active"
    UNSUBSCRIBED = "unsubscribed"
    BOUNCED = "bounced"
    COMPLAINED = "complained"
    ERASED = "erased"  # a privacy request removed everything personal; never mailed again


class SequenceStatus(StrEnum):
    """Whether a sequence sends."""

    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"  # nobody loses their place; resuming continues
    ARCHIVED = "archived"


class EnrollmentStatus(StrEnum):
    """Where one subscriber stands in one sequence."""

    ACTIVE = "active"
    COMPLETED = "completed"
    EXITED = "exited"


class SendStatus(StrEnum):
    """The life of one email: queued -> sending -> sent | failed | skipped | unknown."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"
    UNKNOWN = "unknown"  # may have reached the provider; settled by its events, never resent


class SuppressionReason(StrEnum):
    """Why an address is never mailed again."""

    UNSUBSCRIBED = "unsubscribed"
    BOUNCED = "bounced"
    COMPLAINED = "complained"
    MANUAL = "manual"
    ERASED = "erased"  # kept as a keyed hash of the address only


class ImportStatus(StrEnum):
    """The life of one CSV import: draft (uploaded, columns not yet mapped) -> queued -> running -> done."""

    DRAFT = "draft"
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Role(StrEnum):
    """What an admin-UI user may do."""

    ADMIN = "admin"
    EDITOR = "editor"
    VIEWER = "viewer"


class DeliveryStatus(StrEnum):
    """The life of one webhook delivery: pending -> delivered | failed (given up after 24 hours)."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
