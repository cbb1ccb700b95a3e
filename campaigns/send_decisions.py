"""An operator's decisions about sends the engine will not decide alone: unknown and failed ones."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.enrollment import advance, live_steps, skip_step
from campaigns.errors import ValidationError
from campaigns.models import Send, Subscriber
from campaigns.statuses import EnrollmentStatus, SendStatus

UNDECIDED = (SendStatus.UNKNOWN, SendStatus.FAILED)


def undecided_sends(session: Session, status: SendStatus, limit: int = 200) -> list[Send]:
    """Return the newest sends in `status`, for an operator to look at."""
    return list(
        session.scalars(select(Send).where(Send.status == status).order_by(Send.id.desc()).limit(limit))
    )


def _undecided(session: Session, send_id: int) -> Send:
    send = session.get(Send, send_id)
    if send is None or send.status not in UNDECIDED:
        raise ValidationError(f"send {send_id} is not unknown or failed, so there is nothing to decide")
    return send


def _zone(session: Session, send: Send, fallback_zone: str) -> ZoneInfo:
    return ZoneInfo(session.get_one(Subscriber, send.subscriber_id).timezone or fallback_zone)


def settle_as_sent(session: Session, send_id: int, fallback_zone: str, now: datetime) -> Send:
    """Record that the email did go out (the provider's logs show it); the subscriber moves on."""
    send = _undecided(session, send_id)
    send.status, send.sent_at = SendStatus.SENT, send.attempted_at or now
    send.error = f"settled as sent by an operator at {now.isoformat()}"
    if send.enrollment.status == EnrollmentStatus.ACTIVE:
        steps = live_steps(session, send.enrollment.sequence_id)
        advance(send.enrollment, send.step, steps, _zone(session, send, fallback_zone), send.sent_at)
    return send


def resend(session: Session, send_id: int, now: datetime) -> Send:
    """Send it again: the operator checked that it never reached the subscriber."""
    send = _undecided(session, send_id)
    send.status, send.retry_at, send.queued_at = SendStatus.QUEUED, now, now
    send.error = f"queued again by an operator at {now.isoformat()}"
    return send


def skip(session: Session, send_id: int, fallback_zone: str, now: datetime) -> Send:
    """Give up on this email; the subscriber moves on to the next step."""
    send = _undecided(session, send_id)
    send.status, send.error = SendStatus.SKIPPED, f"skipped by an operator at {now.isoformat()}"
    if send.enrollment.status == EnrollmentStatus.ACTIVE:
        steps = live_steps(session, send.enrollment.sequence_id)
        skip_step(send.enrollment, send.step, steps, _zone(session, send, fallback_zone), now)
    return send
