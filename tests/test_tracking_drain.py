"""The tracking drain records buffered hits on every supported Redis: the embedded 6.2 and 7.x."""

from __future__ import annotations

from datetime import timedelta

import pytest
from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.db import make_session_factory
from campaigns.models import Event, Send
from campaigns.stats import sequence_stats
from campaigns.tracking import Hit
from tests.conftest import engine_for
from tests.factories import START, active_subscriber, seeded
from tests.test_tick import tick
from workers import hit_buffer
from workers.hit_buffer import GROUP, STREAM, claimed_entries, drain, push

ENTRY = (b"1700000000000-0", {b"h": b"open\t1\t\t2030-01-07T14:00:00+00:00\tMozilla\t\tGET"})


def test_a_redis_6_2_autoclaim_reply_has_two_parts() -> None:
    assert claimed_entries([b"0-0", [ENTRY]]) == [ENTRY]


def test_a_redis_7_autoclaim_reply_has_a_third_part_of_deleted_ids() -> None:
    assert claimed_entries([b"0-0", [ENTRY], [b"1699999999999-0"]]) == [ENTRY]


def test_an_entry_deleted_while_pending_is_passed_over() -> None:
    assert claimed_entries([b"0-0", [(b"1-0", None), ENTRY]]) == [ENTRY]


def sent_email(db: Session, settings) -> Send:
    active_subscriber(db, seeded(db, settings))
    tick(settings, 0)
    return db.scalars(select(Send)).one()


def opens(send: Send, count: int) -> list[Hit]:
    at = START + timedelta(hours=1)
    agent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"
    return [Hit("open", send.id, at + timedelta(seconds=i), None, agent, "203.0.113.7") for i in range(count)]


def test_the_drain_records_hits_on_both_redis_versions(db: Session, settings, either_redis: Redis) -> None:
    send = sent_email(db, settings)
    push(either_redis, opens(send, 3))
    sessions = make_session_factory(engine_for(settings.database_url))
    assert drain(either_redis, sessions) == 3
    assert len(db.scalars(select(Event).where(Event.kind == "open")).all()) == 3
    assert sequence_stats(db, send.enrollment.sequence_id).total["opened_human"] == 1
    assert either_redis.xlen(STREAM) == 0


def test_hits_a_crashed_drainer_left_pending_are_reclaimed_on_both_redis_versions(
    db: Session, settings, either_redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    send = sent_email(db, settings)
    push(either_redis, opens(send, 2))
    either_redis.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    read = either_redis.xreadgroup(GROUP, "crashed-drainer", {STREAM: ">"}, count=10)
    assert read, "the crashed drainer took the entry and never acknowledged it"
    monkeypatch.setattr(hit_buffer, "RECLAIM_IDLE_MS", 0)
    sessions = make_session_factory(engine_for(settings.database_url))
    assert drain(either_redis, sessions) == 2
    assert len(db.scalars(select(Event)).all()) == 2
    assert either_redis.xpending(STREAM, GROUP)["pending"] == 0
