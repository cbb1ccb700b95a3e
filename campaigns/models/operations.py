"""What the engine knows about its own recurring work: its health, and which cron process leads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from campaigns.models.base import Base


class Heartbeat(Base):
    """The last success and the last failure of one recurring job (the planner, the tracking drain)."""

    __tablename__ = "heartbeats"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    succeeded_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)


class Lease(Base):
    """Which cron process leads a role until when, and the fencing token of its term.

    The token grows by one whenever another process takes the lease over, so work done under
    an older token can be refused even if its process does not know yet that it lost the lease.
    """

    __tablename__ = "leases"

    role: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    token: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[datetime]
