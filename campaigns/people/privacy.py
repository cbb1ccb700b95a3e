"""Privacy requests: everything held about one person as JSON, or erase it.

Erasing keeps the rows that aggregate stats are made of (sends, events, conversions, enrollments)
but removes every personal detail from them: the subscriber becomes a placeholder, consent records
go, events and bookings lose their details, audit entries about them lose theirs, and the address
survives only as a keyed hash on the suppression list.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, inspect, select, update
from sqlalchemy.orm import Session

from campaigns.exits import end_enrollments
from campaigns.models import (
    AuditLog,
    ConsentRecord,
    Conversion,
    Enrollment,
    Event,
    ImportReject,
    Send,
    Subscriber,
    Suppression,
)
from campaigns.people.audit import record_action, subscriber_target
from campaigns.people.hashing import address_hash
from campaigns.statuses import SubscriberStatus, SuppressionReason


def _plain(row: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Return a row's columns as JSON-ready values."""
    values = {}
    for column in inspect(row).mapper.column_attrs:
        if column.key in skip:
            continue
        value = getattr(row, column.key)
        values[column.key] = value.isoformat() if isinstance(value, datetime) else value
    return values


def person_of(session: Session, email: str) -> Subscriber | None:
    """Return the (not erased) subscriber with this normalized address."""
    person = session.scalar(select(Subscriber).where(Subscriber.email == email))
    return person if person is not None and person.status != SubscriberStatus.ERASED else None


def export_person(session: Session, email: str) -> dict[str, Any]:
    """Return everything held about the person with this address (empty parts if nobody)."""
    person = person_of(session, email)
    suppression = session.scalar(select(Suppression).where(Suppression.email == email))
    by_id = person.id if person else -1
    return {
        "email": email,
        "profile": _plain(person) if person else None,
        "consent_records": [
            _plain(r)
            for r in session.scalars(select(ConsentRecord).where(ConsentRecord.subscriber_id == by_id))
        ],
        "enrollments": [
            _plain(r) for r in session.scalars(select(Enrollment).where(Enrollment.subscriber_id == by_id))
        ],
        "sends": [
            _plain(r)
            for r in session.scalars(select(Send).where(Send.subscriber_id == by_id).order_by(Send.id))
        ],
        "events": [
            _plain(r)
            for r in session.scalars(select(Event).where(Event.subscriber_id == by_id).order_by(Event.id))
        ],
        "conversions": [
            _plain(r)
            for r in session.scalars(
                select(Conversion).where((Conversion.subscriber_id == by_id) | (Conversion.email == email))
            )
        ],
        "audit_entries": [
            _plain(r)
            for r in session.scalars(select(AuditLog).where(AuditLog.target == subscriber_target(by_id)))
        ],
        "suppression": _plain(suppression) if suppression else None,
        "found": person is not None,
    }


def erase_person(session: Session, secret_key: str, email: str, actor_id: int | None, now: datetime) -> bool:
    """Erase everything personal about the person with this address; False if nobody has it."""
    person = person_of(session, email)
    held = person is not None or session.scalar(select(func.count()).where(Conversion.email == email))
    if not held:
        return False
    if person is not None:
        _deidentify(session, person, now)
    session.execute(update(Conversion).where(Conversion.email == email).values(email="", details={}))
    session.execute(delete(ImportReject).where(func.lower(ImportReject.email) == email))
    session.execute(delete(Suppression).where(Suppression.email == email))
    digest = address_hash(secret_key, email)
    if session.scalar(select(Suppression.id).where(Suppression.email_hash == digest)) is None:
        session.add(
            Suppression(email=None, email_hash=digest, reason=SuppressionReason.ERASED, created_at=now)
        )
    target = subscriber_target(person.id) if person else None
    record_action(session, actor_id, "privacy.erase", target, now)
    session.flush()
    return True


def _deidentify(session: Session, person: Subscriber, now: datetime) -> None:
    """Turn a subscriber into a placeholder and strip personal details from what points at them."""
    end_enrollments(session, person.id, "erased", now)
    session.execute(delete(ConsentRecord).where(ConsentRecord.subscriber_id == person.id))
    session.execute(update(Event).where(Event.subscriber_id == person.id).values(data={}, dedupe_key=None))
    session.execute(update(Send).where(Send.subscriber_id == person.id).values(error=None))
    session.execute(
        update(Conversion).where(Conversion.subscriber_id == person.id).values(email="", details={})
    )
    session.execute(
        update(AuditLog)
        .where(AuditLog.target == subscriber_target(person.id))
        .values(detail={"erased": True})
    )
    session.expire(person, ["consents"])
    person.email = f"erased-{person.id}"
    person.first_name = person.timezone = None
    person.paused_until = None
    person.status, person.erased_at = SubscriberStatus.ERASED, now
