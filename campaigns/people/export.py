"""People as CSV: the admin's current search, or everyone, streamed in keyset batches."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import Enrollment, Sequence, Subscriber
from campaigns.people.search import PeopleQuery, every_match

COLUMNS = (
    "id",
    "email",
    "first_name",
    "status",
    "signup_source",
    "timezone",
    "created_at",
    "confirmed_at",
    "unsubscribed_at",
    "sequences",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """Return a cell a spreadsheet shows as text and never runs as a formula."""
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def sequences_of(session: Session, subscriber_ids: list[int]) -> dict[int, list[str]]:
    """Return the slugs of the sequences each of these people is enrolled in."""
    slugs: dict[int, list[str]] = defaultdict(list)
    rows = session.execute(
        select(Enrollment.subscriber_id, Sequence.slug)
        .join(Sequence, Sequence.id == Enrollment.sequence_id)
        .where(Enrollment.subscriber_id.in_(subscriber_ids))
        .order_by(Enrollment.subscriber_id, Sequence.slug)
    )
    for subscriber_id, slug in rows:
        slugs[subscriber_id].append(slug)
    return slugs


def row_of(person: Subscriber, sequences: list[str]) -> list[str]:
    """Return one person's CSV row."""
    values = (
        person.id,
        person.email,
        person.first_name,
        person.status,
        person.signup_source,
        person.timezone,
        person.created_at,
        person.confirmed_at,
        person.unsubscribed_at,
        ";".join(sequences),
    )
    return [safe_cell(value) for value in values]


def counted_chunks(session: Session, query: PeopleQuery) -> Iterator[tuple[str, int]]:
    """Yield the CSV of everyone matching `query` one batch at a time, with how many people each holds."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for people in every_match(session, query):
        sequences = sequences_of(session, [person.id for person in people])
        writer.writerows(row_of(person, sequences.get(person.id, [])) for person in people)
        yield buffer.getvalue(), len(people)
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue(), 0


def csv_chunks(session: Session, query: PeopleQuery) -> Iterator[str]:
    """Yield the CSV of everyone matching `query`, a header then one chunk per batch."""
    return (text for text, _ in counted_chunks(session, query))


def write_csv(session: Session, query: PeopleQuery, out: TextIO) -> int:
    """Write the CSV of everyone matching `query` to `out`; return how many people it holds."""
    total = 0
    for text, count in counted_chunks(session, query):
        out.write(text)
        total += count
    return total
