"""CSV imports: the file, how its columns map, where consent came from, and what became of each row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from campaigns.models.base import Base, status_column
from campaigns.statuses import ImportStatus


class ImportRun(Base):
    """One upload of people, run as a job that saves its progress as it goes."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)  # the CSV itself, so any worker can read it
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # field -> column name
    consent_source: Mapped[str] = mapped_column(Text)  # where and how these people agreed
    attested_by: Mapped[str | None] = mapped_column(String(320))  # who vouched for per-row consent
    sequence_id: Mapped[int | None] = mapped_column(ForeignKey("sequences.id"))
    status: Mapped[ImportStatus] = mapped_column(status_column(ImportStatus))
    total_rows: Mapped[int] = mapped_column(default=0)
    processed_rows: Mapped[int] = mapped_column(default=0)
    imported: Mapped[int] = mapped_column(default=0)
    merged: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[datetime | None]


class ImportReject(Base):
    """One row of an import that was not taken, and why."""

    __tablename__ = "import_rejects"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_run_id: Mapped[int] = mapped_column(ForeignKey("import_runs.id"), index=True)
    row_number: Mapped[int]  # as a spreadsheet counts it: the header is row 1
    email: Mapped[str] = mapped_column(String(320))  # as the file had it, cut to length
    reason: Mapped[str] = mapped_column(String(200))
