"""One cron process leads under a lease; a takeover moves the fencing token on, and work under
the old token is refused even from a process that does not know yet that it lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.db import make_session_factory
from campaigns.errors import LeaseLost
from campaigns.leadership import CRON, LEASE_TERM, check_fence, lead, leader
from campaigns.models import Send
from campaigns.settings import Settings
from campaigns.tick import plan
from tests.conftest import engine_for
from tests.factories import active_subscriber, seeded

NOW = datetime(2030, 1, 7, 15, 0, tzinfo=UTC)


def test_the_first_cron_leads_and_the_others_stand_by(db: Session) -> None:
    assert lead(db, CRON, "a", NOW) == 1
    assert lead(db, CRON, "b", NOW + timedelta(seconds=5)) is None
    assert lead(db, CRON, "a", NOW + timedelta(seconds=10)) == 1  # renewing keeps the token
    assert leader(db, CRON, NOW + timedelta(seconds=10)) == "a"


def test_another_cron_takes_over_once_the_lease_runs_out_with_the_next_token(db: Session) -> None:
    lead(db, CRON, "a", NOW)
    assert lead(db, CRON, "b", NOW + LEASE_TERM - timedelta(seconds=1)) is None
    assert lead(db, CRON, "b", NOW + LEASE_TERM) == 2
    assert lead(db, CRON, "a", NOW + LEASE_TERM + timedelta(seconds=1)) is None  # the old leader waits now
    assert leader(db, CRON, NOW + LEASE_TERM) == "b"


def test_work_under_a_stale_token_is_refused(db: Session) -> None:
    old = lead(db, CRON, "a", NOW)
    lead(db, CRON, "b", NOW + LEASE_TERM)
    db.commit()
    assert old is not None
    with pytest.raises(LeaseLost):
        check_fence(db, CRON, old)
    check_fence(db, CRON, old + 1)


def test_a_paused_ex_leader_plans_nothing(db: Session, settings: Settings) -> None:
    sequence = seeded(db, settings)
    for step in sequence.steps:
        step.window_start_hour, step.window_end_hour, step.window_weekdays = 0, 24, 0b1111111
    active_subscriber(db, sequence, email="ada@example.com", now=NOW - timedelta(days=1))
    old = lead(db, CRON, "a", NOW - LEASE_TERM * 2)
    lead(db, CRON, "b", NOW)  # "a" was paused past its term and "b" took over
    db.commit()
    assert old is not None
    sessions = make_session_factory(engine_for(settings.database_url))
    handed: list[int] = []
    with pytest.raises(LeaseLost):
        plan(sessions, NOW, handed.extend, fence=lambda session: check_fence(session, CRON, old))
    assert handed == [] and db.scalar(select(func.count(Send.id))) == 0
