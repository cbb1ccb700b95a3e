"""The set-based writes of an import: new people in one statement, their enrollments in another."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from campaigns.enrollment import default_sequence, live_steps, window_of
from campaigns.models import Enrollment, Sequence, Subscriber
from campaigns.people.import_rows import Person
from campaigns.scheduling import due_time
from campaigns.statuses import EnrollmentStatus, SequenceStatus, SubscriberStatus


def _insert(session: Session) -> Any:
    """Return the dialect's INSERT, which knows ON CONFLICT."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def insert_people(
    session: Session, fresh: list[Person], confirmed: Collection[Person], now: datetime
) -> tuple[dict[Person, int], int]:
    """Add new people; return each one's id, and how many were added meanwhile by someone else."""
    if not fresh:
        return {}, 0
    rows = [
        {
            "email": p.email,
            "first_name": p.first_name,
            "timezone": p.timezone,
            "status": SubscriberStatus.ACTIVE if p in confirmed else SubscriberStatus.PENDING,
            "created_at": now,
            "confirmed_at": now if p in confirmed else None,
            "signup_source": "import",
        }
        for p in fresh
    ]
    table = cast(Table, Subscriber.__table__)
    # Core executemany: one compiled statement, sent in batches, no ORM bookkeeping per row.
    statement = (
        _insert(session)(table)
        .on_conflict_do_nothing(index_elements=["email"])
        .returning(table.c.id, table.c.email)
    )
    ids = {email: id_ for id_, email in session.connection().execute(statement, rows)}
    added = {person: ids[person.email] for person in fresh if person.email in ids}
    return added, len(fresh) - len(added)


def enroll_new(
    session: Session,
    sequence_id: int | None,
    people: list[Person],
    ids: dict[Person, int],
    fallback_zone: str,
    now: datetime,
) -> int:
    """Enroll newly added, attested people in the chosen sequence (or the default); return how many."""
    sequence = session.get(Sequence, sequence_id) if sequence_id else default_sequence(session)
    if not people or sequence is None or sequence.status != SequenceStatus.ACTIVE:
        return 0
    steps = live_steps(session, sequence.id)
    first = steps[0] if steps else None
    due: dict[str, datetime | None] = {}
    rows = []
    for person in people:
        zone = person.timezone or fallback_zone
        if zone not in due:
            due[zone] = (
                due_time(now, first.delay_minutes, window_of(first), ZoneInfo(zone)) if first else None
            )
        rows.append(
            {
                "subscriber_id": ids[person],
                "sequence_id": sequence.id,
                "status": EnrollmentStatus.ACTIVE if first else EnrollmentStatus.COMPLETED,
                "next_step_id": first.id if first else None,
                "next_send_at": due[zone],
                "enrolled_at": now,
                "ended_at": None if first else now,
            }
        )
    session.connection().execute(
        _insert(session)(cast(Table, Enrollment.__table__)).on_conflict_do_nothing(), rows
    )
    return len(rows)
