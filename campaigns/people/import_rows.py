"""Reading an import file: its columns, how they map to a person's fields, and each row checked."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime

from campaigns.addresses import clean_first_name, clean_timezone, has_forbidden_characters, normalize_email
from campaigns.errors import ValidationError

FIELDS = ("email", "first_name", "timezone", "consent_date")
"""What a column can stand for; only `email` is required."""

GUESSES = {
    "email": ("email", "e-mail", "email address", "e-mail address", "mail"),
    "first_name": ("first_name", "first name", "firstname", "given name", "name"),
    "timezone": ("timezone", "time zone", "tz"),
    "consent_date": (
        "consent_date",
        "consent date",
        "consented_at",
        "consented at",
        "opt-in date",
        "signup date",
    ),
}
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 1_000_000
PREVIEW_ROWS = 5
MAX_CONSENT_SOURCE = 500


@dataclass(frozen=True)
class Person:
    """One row that passed its own checks (the list's checks come later)."""

    row_number: int
    email: str
    first_name: str | None
    timezone: str | None
    consent_given_at: datetime | None


@dataclass(frozen=True)
class Rejected:
    """One row that was not taken, and why."""

    row_number: int
    email: str
    reason: str


def decode(raw: bytes) -> str:
    """Return the file as text: UTF-8 (with or without a byte-order mark), else Windows-1252."""
    if len(raw) > MAX_FILE_BYTES:
        raise ValidationError(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def read_table(content: str) -> tuple[list[str], list[list[str]]]:
    """Return the header and the rows of a CSV, or raise ValidationError if it is not one."""
    try:
        sample = content[:4096]
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(content), dialect))
    except csv.Error as exc:
        raise ValidationError(f"The file is not a readable CSV: {exc}") from exc
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise ValidationError("The file is empty.")
    if len(rows) - 1 > MAX_ROWS:
        raise ValidationError(f"The file has more than {MAX_ROWS:,} rows; split it.")
    return [cell.strip() for cell in rows[0]], rows[1:]


def guess_mapping(header: list[str]) -> dict[str, str]:
    """Return the likely column for each field, by the header's names."""
    lowered = {name.lower(): name for name in header}
    mapping = {}
    for field, names in GUESSES.items():
        found = next((lowered[name] for name in names if name in lowered), None)
        if found:
            mapping[field] = found
    return mapping


def check_mapping(header: list[str], mapping: dict[str, str]) -> dict[str, int]:
    """Return each mapped field's column index, or raise ValidationError if the mapping is wrong."""
    unknown = set(mapping) - set(FIELDS)
    if unknown:
        raise ValidationError(f"Unknown field: {sorted(unknown)[0][:40]}.")
    if not mapping.get("email"):
        raise ValidationError("Choose the column that holds the email address.")
    indexes = {}
    for field, column in mapping.items():
        if not column:
            continue
        if column not in header:
            raise ValidationError(f"The file has no column '{column[:80]}'.")
        indexes[field] = header.index(column)
    return indexes


def parse_consent_date(raw: str, now: datetime) -> datetime:
    """Return the moment a row says consent was given, or raise ValidationError."""
    text = raw.strip()
    try:
        moment = datetime.fromisoformat(text) if "T" in text or " " in text else None
        if moment is None:
            moment = datetime.combine(date.fromisoformat(text), datetime.min.time())
    except ValueError as exc:
        raise ValidationError("bad consent date (use YYYY-MM-DD)") from exc
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    if moment > now:
        raise ValidationError("consent date is in the future")
    return moment


def check_row(row_number: int, cells: list[str], indexes: dict[str, int], now: datetime) -> Person | Rejected:
    """Check one row on its own: the address, the name, the zone and the consent date."""

    def cell(field: str) -> str:
        index = indexes.get(field)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    raw_email = cell("email")
    try:
        email = normalize_email(raw_email)
    except ValidationError as exc:
        return Rejected(
            row_number, raw_email[:320], "bad address: " + str(exc).removeprefix("That email address ")[:150]
        )
    try:
        name = clean_first_name(cell("first_name") or None)
        zone = clean_timezone(cell("timezone") or None)
        consent = parse_consent_date(cell("consent_date"), now) if cell("consent_date") else None
    except ValidationError as exc:
        return Rejected(row_number, email, str(exc)[:200])
    return Person(row_number, email, name, zone, consent)


def clean_consent_source(raw: str) -> str:
    """Return where and how the people agreed, as typed, or raise ValidationError if missing."""
    text = " ".join(raw.split())
    if len(text) < 5:
        raise ValidationError("Say where and how these people agreed to the emails (the consent source).")
    if len(text) > MAX_CONSENT_SOURCE or has_forbidden_characters(text):
        raise ValidationError(f"Keep the consent source to {MAX_CONSENT_SOURCE} characters of plain text.")
    return text
