"""SendGrid's event webhook, after its signature is checked: what each event means for a send.

Events are deduplicated by `sg_event_id` and by a composite key (SendGrid may give a retried
event a new id). `processed` and `delivered` settle sends left `unknown`; bounces, spam reports
and unsubscribes suppress the address and end its sequences.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from datetime import UTC, date, datetime
from typing import Any, TypeGuard

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from campaigns.exits import suppress
from campaigns.models import Event, Send, Subscriber
from campaigns.rollups import bump
from campaigns.send_decisions import settle_as_sent
from campaigns.statuses import SendStatus, SuppressionReason
from campaigns.tracking import Hit, record_hits
from campaigns.webhooks.events import emit

SUPPRESSING = {
    "spamreport": (SuppressionReason.COMPLAINED, "complained"),
    "unsubscribe": (SuppressionReason.UNSUBSCRIBED, "unsubscribed"),
    "group_unsubscribe": (SuppressionReason.UNSUBSCRIBED, "unsubscribed"),
}
KNOWN = {"processed", "delivered", "deferred", "dropped", "bounce", "open", "click", *SUPPRESSING}
MAX_ID = 2**63 - 1  # a larger send_id is not ours, and would overflow the database's integer
log = logging.getLogger(__name__)


def process_events(session: Session, events: list[dict[str, Any]], fallback_zone: str) -> Counter[str]:
    """Apply a batch of webhook events; return how many of each kind were new."""
    applied: Counter[str] = Counter()
    for number, raw in enumerate(events):
        kind = str(raw.get("event", ""))[:40]
        problem = _problem_with(raw)
        if problem:
            log.warning("skipped webhook event %d (%s): %s", number, kind, problem)
            continue
        try:
            with session.begin_nested():  # a bad event is skipped on its own; the rest still apply
                if kind not in KNOWN or not _is_new(session, raw, kind):
                    continue
                _apply(session, raw, kind, fallback_zone)
        except (SQLAlchemyError, ValueError, TypeError, OverflowError, RecursionError) as exc:
            log.warning("skipped webhook event %d (%s): %s", number, kind, type(exc).__name__)
            continue
        applied[kind] += 1
    return applied


def _problem_with(raw: dict[str, Any]) -> str | None:
    """Say what makes an event unusable, if anything: an id or a time that cannot be ours."""
    send_id = raw.get("send_id")
    if send_id is not None and _send_id(send_id) is None:
        return "send_id is not one of our ids"
    stamp = raw.get("timestamp")
    if stamp is not None and not _is_time(stamp):
        return "timestamp is not a time"
    return None


def _send_id(value: object) -> int | None:
    text = str(value)
    if not text.isascii() or not text.isdigit() or len(text) > 19 or int(text) > MAX_ID:
        return None
    return int(text)


def _is_time(stamp: object) -> TypeGuard[float]:
    # Before the year 3000: a larger number is not a time SendGrid sends.
    return isinstance(stamp, int | float) and not isinstance(stamp, bool) and 0 <= stamp < 32_503_680_000


def _when(raw: dict[str, Any]) -> datetime:
    stamp = raw.get("timestamp")
    return datetime.fromtimestamp(stamp, UTC) if _is_time(stamp) else datetime.now(UTC)


def _send(session: Session, raw: dict[str, Any]) -> Send | None:
    send_id = _send_id(raw.get("send_id", ""))
    return session.get(Send, send_id) if send_id is not None else None


def _is_new(session: Session, raw: dict[str, Any], kind: str) -> bool:
    """Record the event once; False if its id or its composite key was seen before."""
    event_id = str(raw.get("sg_event_id", ""))[:100] or None
    # A retry carries the same event under a new id: everything but the id makes the composite key.
    content = json.dumps({k: v for k, v in raw.items() if k != "sg_event_id"}, sort_keys=True, default=str)
    dedupe_key = f"{kind}:{hashlib.sha256(content.encode()).hexdigest()}"
    seen = select(Event.id).where((Event.dedupe_key == dedupe_key) | (Event.provider_event_id == event_id))
    if session.scalar(seen.limit(1)):
        return False
    send = _send(session, raw)
    event = Event(
        send_id=send.id if send else None,
        subscriber_id=send.subscriber_id if send else None,
        kind=f"provider.{kind}",
        occurred_at=_when(raw),
        automated=bool(raw.get("sg_machine_open")),
        provider_event_id=event_id,
        dedupe_key=dedupe_key,
        data={k: raw[k] for k in ("reason", "type", "status", "url", "response") if k in raw},
    )
    try:
        with session.begin_nested():
            session.add(event)
    except IntegrityError:  # the same event, arriving twice at once
        return False
    return True


def _apply(session: Session, raw: dict[str, Any], kind: str, fallback_zone: str) -> None:
    send, when = _send(session, raw), _when(raw)
    day = when.date()
    if send is not None and kind in ("processed", "delivered") and send.status == SendStatus.UNKNOWN:
        settle_as_sent(session, send.id, fallback_zone, when)  # it did reach SendGrid
    if send is not None and kind == "delivered" and send.delivered_at is None:
        send.delivered_at = when
        _count(session, send, day, "delivered")
    if send is not None and kind == "dropped":
        if send.status == SendStatus.UNKNOWN:
            send.status, send.error = (
                SendStatus.FAILED,
                f"dropped by SendGrid: {raw.get('reason', '')}"[:2000],
            )
        _count(session, send, day, "dropped")
    if kind == "bounce" and raw.get("type", "bounce") == "bounce":  # a hard bounce; "blocked" is soft
        _suppress(session, raw, send, SuppressionReason.BOUNCED, "bounced", when)
        if send is not None and send.bounced_at is None:
            send.bounced_at = when
    if kind in SUPPRESSING:
        reason, metric = SUPPRESSING[kind]
        _suppress(session, raw, send, reason, metric, when)
    if send is not None and kind in ("open", "click"):
        hit = Hit(kind=kind, send_id=send.id, at=when, user_agent=str(raw.get("useragent", ""))[:300])
        if kind == "open" and raw.get("sg_machine_open"):
            hit = Hit(kind="open", send_id=send.id, at=when, user_agent="Mozilla/5.0")  # Apple's proxy
        record_hits(session, [hit])


def _suppress(
    session: Session,
    raw: dict[str, Any],
    send: Send | None,
    reason: SuppressionReason,
    metric: str,
    when: datetime,
) -> None:
    email = send.subscriber.email if send else str(raw.get("email", "")).strip().lower()
    if not email:
        return
    subscriber = session.scalar(select(Subscriber).where(Subscriber.email == email))
    already = subscriber is not None and subscriber.status == {
        "complained": "complained",
        "bounced": "bounced",
    }.get(metric, "unsubscribed")
    suppress(session, email, reason, when, note=f"SendGrid {raw.get('event')}")
    if send is not None and not already:
        _count(session, send, when.date(), metric)
    if send is not None and not already and metric in ("bounced", "complained"):
        data = {"send_id": send.id, "subscriber_id": send.subscriber_id, "email": email}
        emit(session, f"send.{metric}", data, when)


def _count(session: Session, send: Send, day: date, metric: str) -> None:
    if send.step_version_id is not None:
        bump(session, Counter({(send.step_version_id, day, metric): 1}))
