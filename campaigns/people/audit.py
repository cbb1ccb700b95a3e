"""The audit trail of what staff did to a person or the list, from the admin or the command line."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from campaigns.access import audit
from campaigns.models import AuditLog


def subscriber_target(subscriber_id: int) -> str:
    """Return the audit target that names one subscriber."""
    return f"subscriber:{subscriber_id}"


def record_action(
    session: Session, actor_id: int | None, action: str, target: str | None, now: datetime, **detail: Any
) -> AuditLog:
    """Add one audit entry; `actor_id` None means the command line."""
    extra = {} if actor_id else {"via": "command line"}
    return audit.record(session, now, action, user_id=actor_id, target=target, **detail, **extra)
