"""The audit log: who did what, when and from where; read back filtered, or as CSV."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from campaigns.models import AuditLog, User

PAGE_SIZE = 100
"""Entries shown on one page of the audit log."""


def record(
    session: Session,
    now: datetime,
    action: str,
    user_id: int | None = None,
    target: str | None = None,
    ip_address: str | None = None,
    **detail: Any,
) -> AuditLog:
    """Add one entry to the audit log (the caller commits)."""
    entry = AuditLog(
        occurred_at=now,
        user_id=user_id,
        action=action[:60],
        target=(target or "")[:120] or None,
        ip_address=(ip_address or "")[:45] or None,
        detail=detail,
    )
    session.add(entry)
    return entry


@dataclass(frozen=True)
class AuditFilter:
    """What an administrator asked to see: one person, one action, a range of days (UTC)."""

    user_id: int | None = None
    action: str | None = None
    since: date | None = None
    until: date | None = None

    def statement(self) -> Select[AuditLog, User]:
        """Return the query for these entries, newest first, with who did each (if anyone)."""
        query = select(AuditLog, User).outerjoin(User, User.id == AuditLog.user_id)
        if self.user_id is not None:
            query = query.where(AuditLog.user_id == self.user_id)
        if self.action:
            query = query.where(AuditLog.action == self.action)
        if self.since:
            query = query.where(AuditLog.occurred_at >= _midnight(self.since))
        if self.until:
            query = query.where(AuditLog.occurred_at < _midnight(self.until + timedelta(days=1)))
        return query.order_by(AuditLog.occurred_at.desc(), AuditLog.id.desc())


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def entries(
    session: Session, wanted: AuditFilter, limit: int | None = PAGE_SIZE
) -> list[tuple[AuditLog, User | None]]:
    """Return the entries that match, newest first."""
    query = wanted.statement()
    if limit is not None:
        query = query.limit(limit)
    return [(row[0], row[1]) for row in session.execute(query).all()]


def actions_in_use(session: Session) -> list[str]:
    """Return every action the log holds, for the filter's choices."""
    return list(session.scalars(select(AuditLog.action).distinct().order_by(AuditLog.action)))


def as_csv(session: Session, wanted: AuditFilter) -> str:
    """Return the matching entries as CSV, one row per entry, newest first."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["when (UTC)", "who", "action", "target", "from address", "detail"])
    for entry, user in entries(session, wanted, limit=None):
        cells = [
            entry.occurred_at.strftime("%Y-%m-%d %H:%M:%S"),
            user.email if user else str(entry.detail.get("email", "")),
            entry.action,
            entry.target or "",
            entry.ip_address or "",
            json.dumps(entry.detail, sort_keys=True, default=str),
        ]
        writer.writerow([_safe_cell(cell) for cell in cells])
    return out.getvalue()


def _safe_cell(value: str) -> str:
    """Keep a spreadsheet from reading a cell as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
