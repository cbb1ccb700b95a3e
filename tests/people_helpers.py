"""What the people tests share: CSV files with good and bad rows, and counting what the list holds."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.models import Subscriber


def csv_text(
    rows: list[dict[str, str]], columns: tuple[str, ...] = ("Email", "First name", "Consent date")
) -> str:
    """Return rows as CSV text with a header."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def mixed_rows(good: int, consent_date: str = "") -> tuple[list[dict[str, str]], int]:
    """Return `good` valid rows and a few bad ones (bad address, duplicate), and how many are bad."""
    rows = [
        {"Email": f"Person{n}@Example.org", "First name": f"P{n}", "Consent date": consent_date}
        for n in range(good)
    ]
    rows += [
        {"Email": "not-an-address", "First name": "X", "Consent date": ""},
        {"Email": "person1@example.org", "First name": "Again", "Consent date": ""},
        {"Email": "", "First name": "Nobody", "Consent date": ""},
    ]
    return rows, 3


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    """Write rows to a CSV file and return its path."""
    path.write_text(csv_text(rows), encoding="utf-8")
    return path


def people_count(db: Session) -> int:
    """How many subscribers exist."""
    db.expire_all()
    return db.scalar(select(func.count(Subscriber.id))) or 0
