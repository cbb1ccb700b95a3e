"""Set-based statements give the same rows on SQLite and PostgreSQL, however many there are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import Alert
from campaigns.set_sql import among, insert_rows, update_rows

ALERTS = Alert.__table__
NOW = datetime(2030, 1, 7, 14, 0, tzinfo=UTC)


def test_rows_go_in_and_are_updated_with_shared_and_varying_values(db: Session) -> None:
    rows = [{"kind": "note", "message": f"m{n}", "opened_at": NOW} for n in range(1500)]
    ids = insert_rows(db, ALERTS, rows)
    assert len(ids) == 1500
    changes = [
        {"id": alert_id, "message": f"changed {n}", "resolved_at": NOW + timedelta(minutes=n % 2)}
        for n, alert_id in enumerate(ids)
    ]
    update_rows(db, ALERTS, changes[:1000])
    update_rows(db, ALERTS, [{**change, "resolved_at": None} for change in changes[1000:]])
    db.commit()
    found = {a.id: a for a in db.scalars(select(Alert))}
    first, last = found[ids[1]], found[ids[-1]]
    assert (first.message, first.resolved_at) == ("changed 1", NOW + timedelta(minutes=1))
    assert (last.message, last.resolved_at) == ("changed 1499", None)
    assert all(a.opened_at == NOW and a.kind == "note" for a in found.values())


def test_identical_rows_are_each_inserted(db: Session) -> None:
    ids = insert_rows(db, ALERTS, [{"kind": "same", "message": "same", "opened_at": NOW}] * 3)
    assert len(set(ids)) == 3


def test_an_update_can_leave_rows_that_no_longer_match_alone(db: Session) -> None:
    ids = insert_rows(db, ALERTS, [{"kind": k, "message": "", "opened_at": NOW} for k in ("a", "b")])
    update_rows(db, ALERTS, [{"id": i, "message": "touched"} for i in ids], where=[ALERTS.c.kind == "a"])
    assert {a.kind: a.message for a in db.scalars(select(Alert))} == {"a": "touched", "b": ""}


def test_among_matches_a_list_of_ids_or_strings(db: Session) -> None:
    ids = insert_rows(db, ALERTS, [{"kind": f"k{n}", "message": "", "opened_at": NOW} for n in range(5)])
    assert set(db.scalars(select(Alert.id).where(among(db, Alert.id, ids[1:3])))) == set(ids[1:3])
    assert set(db.scalars(select(Alert.kind).where(among(db, Alert.kind, {"k0", "k4", "x"})))) == {"k0", "k4"}
    assert list(db.scalars(select(Alert.id).where(among(db, Alert.id, [])))) == []
