"""Run a recurring job so that its health is recorded and a failure costs one log line.

`rq cron` runs the planner every 30 s and the tracking drain every 10 s. A failure (the database
away, Redis restarting) is logged as one line with its reason and recorded for `/healthz`; the
next run tries again, so a traceback every few seconds would only bury what matters.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from campaigns.db import session_scope
from campaigns.heartbeats import record_failure, record_success

log = logging.getLogger("nurture.recurring")


def run_watched(name: str, sessions: sessionmaker[Session], work: Callable[[], int]) -> int:
    """Run `work`, record its success or failure under `name`; return its count (0 on failure)."""
    try:
        done = work()
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}".splitlines()[0]
        log.error("%s failed: %s (it runs again at its next interval)", name.replace("_", " "), reason)
        log.debug("%s failed", name, exc_info=True)
        _record(sessions, lambda session: record_failure(session, name, reason, datetime.now(UTC)))
        return 0
    _record(sessions, lambda session: record_success(session, name, datetime.now(UTC)))
    return done


def _record(sessions: sessionmaker[Session], write: Callable[[Session], None]) -> None:
    try:
        with session_scope(sessions) as session:
            write(session)
    except Exception as exc:  # the database itself may be what failed; the log line says enough
        log.error("could not record the job's health: %s", f"{type(exc).__name__}: {exc}".splitlines()[0])
