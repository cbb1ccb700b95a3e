"""Run an import: check each row against the list, add new people, merge known ones, keep rejects.

Rows are taken in chunks, each written with a few set-based statements and committed with the
run's progress, so a page can show how far it got and a job that runs twice resumes where the
first stopped. New people get a paced double opt-in email unless their row carries a consent date
and an admin attested that consent was given.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from campaigns.errors import ValidationError
from campaigns.models import ConsentRecord, ImportReject, ImportRun, Subscriber, Suppression
from campaigns.people.hashing import erased_among
from campaigns.people.import_rows import (
    Person,
    Rejected,
    check_mapping,
    check_row,
    clean_consent_source,
    read_table,
)
from campaigns.people.import_writes import enroll_new, insert_people
from campaigns.statuses import ImportStatus
from campaigns.tokens import Keys

CHUNK = 1000
CONFIRMATIONS_PER_MINUTE = 20
"""Imported people's confirmation emails go out at this pace, so a big list does not arrive at once."""


def upload_import(
    session: Session, filename: str, content: str, now: datetime, created_by_id: int | None = None
) -> ImportRun:
    """Keep an uploaded file as a draft import, once it reads as a CSV; raise ValidationError if not."""
    _, rows = read_table(content)
    run = ImportRun(
        created_at=now,
        created_by_id=created_by_id,
        filename=filename[:200] or "import.csv",
        content=content,
        mapping={},
        consent_source="",
        status=ImportStatus.DRAFT,
        total_rows=len(rows),
    )
    session.add(run)
    session.flush()
    return run


def configure_import(
    run: ImportRun,
    mapping: dict[str, str],
    consent_source: str,
    attested_by: str | None = None,
    sequence_id: int | None = None,
) -> None:
    """Map a draft's columns and say where consent came from; queue it. Raise ValidationError if wrong."""
    if run.status != ImportStatus.DRAFT:
        raise ValidationError("This import has already started.")
    header, _ = read_table(run.content)
    check_mapping(header, mapping)
    run.consent_source = clean_consent_source(consent_source)
    run.mapping = {field: column for field, column in mapping.items() if column}
    run.attested_by, run.sequence_id = attested_by, sequence_id
    run.status = ImportStatus.QUEUED


def start_import(
    session: Session,
    filename: str,
    content: str,
    mapping: dict[str, str],
    consent_source: str,
    now: datetime,
    *,
    attested_by: str | None = None,
    sequence_id: int | None = None,
    created_by_id: int | None = None,
) -> ImportRun:
    """Record an import ready to run, after checking the file and the mapping (ValidationError if wrong)."""
    run = upload_import(session, filename, content, now, created_by_id)
    configure_import(run, mapping, consent_source, attested_by, sequence_id)
    return run


def run_import(
    session: Session,
    run_id: int,
    secret_key: Keys,
    fallback_zone: str,
    now: datetime,
    progress: Callable[[ImportRun], None] | None = None,
) -> ImportRun:
    """Run (or resume) an import to the end, committing after each chunk."""
    run = session.get_one(ImportRun, run_id)
    if run.status in (ImportStatus.DONE, ImportStatus.DRAFT):
        return run
    run.status = ImportStatus.RUNNING
    session.commit()
    header, rows = read_table(run.content)
    indexes = check_mapping(header, run.mapping)
    seen = _emails_already_taken(session, run)
    for start in range(run.processed_rows, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        checked = [check_row(start + offset + 2, cells, indexes, now) for offset, cells in enumerate(chunk)]
        _take_chunk(session, run, checked, seen, secret_key, fallback_zone, now)
        run.processed_rows = start + len(chunk)
        session.commit()
        if progress:
            progress(run)
    run.status, run.finished_at, run.content = ImportStatus.DONE, now, ""  # the file is not kept
    session.commit()
    return run


def _emails_already_taken(session: Session, run: ImportRun) -> set[str]:
    """Return the addresses a resumed run already took, so later duplicates are still caught."""
    if run.processed_rows == 0:
        return set()
    header, rows = read_table(run.content)
    indexes = check_mapping(header, run.mapping)
    done = (check_row(0, cells, indexes, run.created_at) for cells in rows[: run.processed_rows])
    return {row.email for row in done if isinstance(row, Person)}


def _take_chunk(
    session: Session,
    run: ImportRun,
    checked: list[Person | Rejected],
    seen: set[str],
    secret_key: Keys,
    fallback_zone: str,
    now: datetime,
) -> None:
    """Reject, merge or add each row of one chunk."""
    rejects = [row for row in checked if isinstance(row, Rejected)]
    people: list[Person] = []
    for row in checked:
        if isinstance(row, Person):
            if row.email in seen:
                rejects.append(Rejected(row.row_number, row.email, "duplicate in file"))
            else:
                seen.add(row.email)
                people.append(row)
    emails = [person.email for person in people]
    suppressed = set(session.scalars(select(Suppression.email).where(Suppression.email.in_(emails))))
    suppressed |= erased_among(session, secret_key, emails)
    rejects += [Rejected(p.row_number, p.email, "suppressed") for p in people if p.email in suppressed]
    people = [person for person in people if person.email not in suppressed]
    known = _known(session, [person.email for person in people])
    merged = [person for person in people if person.email in known]
    _merge(session, merged, known)
    fresh = [person for person in people if person.email not in known]
    confirmed = {p for p in fresh if p.consent_given_at and run.attested_by}
    added, raced = insert_people(session, fresh, confirmed, now)
    _consents(session, run, added, confirmed, now)
    enroll_new(session, run.sequence_id, [p for p in added if p in confirmed], added, fallback_zone, now)
    if rejects:
        session.connection().execute(
            insert(cast(Table, ImportReject.__table__)),
            [
                {"import_run_id": run.id, "row_number": r.row_number, "email": r.email, "reason": r.reason}
                for r in rejects
            ],
        )
    run.imported += len(added)
    run.merged += len(merged) + raced
    run.rejected += len(rejects)


def _known(session: Session, emails: list[str]) -> dict[str, Subscriber]:
    """Return the people already on the list among these addresses."""
    if not emails:
        return {}
    return {s.email: s for s in session.scalars(select(Subscriber).where(Subscriber.email.in_(emails)))}


def _merge(session: Session, merged: list[Person], known: dict[str, Subscriber]) -> None:
    """Fill in what a known person's record lacks; nothing they gave is overwritten."""
    for person in merged:
        subscriber = known[person.email]
        subscriber.first_name = subscriber.first_name or person.first_name
        subscriber.timezone = subscriber.timezone or person.timezone


def _consents(
    session: Session, run: ImportRun, added: dict[Person, int], attested: set[Person], now: datetime
) -> None:
    """Record each new person's consent: attested, or owed a paced confirmation email."""
    if not added:
        return
    pace = timedelta(minutes=1) / CONFIRMATIONS_PER_MINUTE
    due = _next_free_slot(session, now, pace)
    rows = []
    for person, subscriber_id in added.items():
        row = {
            "subscriber_id": subscriber_id,
            "email": person.email,
            "created_at": now,
            "source": "import",
            "page": run.filename,
            "consent_text": f"Imported: {run.consent_source}",
            "consent_version": f"import-{run.id}",
            "consent_given_at": person.consent_given_at,
            "attested_by": run.attested_by if person in attested else None,
            "confirmed_at": now if person in attested else None,
            "confirmation_due_at": None if person in attested else due,
        }
        if person not in attested:
            due += pace
        rows.append(row)
    session.connection().execute(insert(cast(Table, ConsentRecord.__table__)), rows)


def _next_free_slot(session: Session, now: datetime, pace: timedelta) -> datetime:
    """Return when the next paced confirmation may go: after every one already waiting."""
    latest = session.scalar(
        select(func.max(ConsentRecord.confirmation_due_at)).where(
            ConsentRecord.confirmation_sent_at.is_(None)
        )
    )
    return max(now, latest + pace) if latest else now
