"""Find sends that lost their way: retries now due, jobs Redis lost, workers that died mid-call."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from campaigns.models import Send
from campaigns.statuses import SendStatus

QUEUE_TIMEOUT = timedelta(minutes=15)
"""A send queued this long without being attempted lost its job (Redis restarted or was flushed)."""

SENDING_TIMEOUT = timedelta(minutes=20)
"""A send `sending` this long lost its worker mid-call; longer than any delivery job may run."""

STUCK_MESSAGE = "the worker stopped while handing this email to the provider; it may have gone out"


def settle_stuck(session: Session, now: datetime) -> int:
    """Mark sends whose worker died mid-call `unknown`: they may have gone out, so never resend."""
    result = session.execute(
        update(Send)
        .where(Send.status == SendStatus.SENDING, Send.attempted_at <= now - SENDING_TIMEOUT)
        .values(status=SendStatus.UNKNOWN, error=STUCK_MESSAGE)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def requeue_due(session: Session, now: datetime, limit: int) -> list[int]:
    """Return queued sends to hand to workers again: retries now due, and jobs Redis lost."""
    due = (Send.retry_at <= now) | (Send.retry_at.is_(None) & (Send.queued_at <= now - QUEUE_TIMEOUT))
    ids = list(
        session.scalars(
            select(Send.id).where(Send.status == SendStatus.QUEUED, due).order_by(Send.id).limit(limit)
        )
    )
    if ids:
        session.execute(
            update(Send)
            .where(Send.id.in_(ids))
            .values(queued_at=now, retry_at=None)
            .execution_options(synchronize_session=False)
        )
    return ids
