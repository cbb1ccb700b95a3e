"""What the engine knows about its own recurring work: when each job last succeeded or failed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from campaigns.models.base import Base


class Heartbeat(Base):
    """The last success and the last failure of one recurring job (the planner, the tracking drain)."""

    __tablename__ = "heartbeats"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    succeeded_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
