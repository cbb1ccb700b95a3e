"""Answered opens and clicks survive a Redis that loses its data: the web process pushes them again.

Each test loses Redis's data in a real way: a redis-server of the test's own restarted with
nothing on disk, or the whole database flushed on the Redis 7 server and the embedded 6.2.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.db import make_session_factory
from campaigns.models import Event, Send
from campaigns.tracking import Hit
from tests.conftest import emptied, engine_for
from tests.factories import START, active_subscriber, seeded
from tests.fault_rig import RedisServer
from tests.test_tick import tick
from web import hit_sender
from web.hit_sender import HitSender
from workers.hit_buffer import STREAM, drain

AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"


def sent_email(db: Session, settings) -> Send:
    active_subscriber(db, seeded(db, settings))
    tick(settings, 0)
    return db.scalars(select(Send)).one()


def opens(send: Send, count: int, first: int = 0) -> list[Hit]:
    at = START + timedelta(hours=1)
    return [
        Hit("open", send.id, at + timedelta(seconds=first + i), None, AGENT, "203.0.113.7")
        for i in range(count)
    ]


def queue(sender: HitSender, hits: list[Hit]) -> None:
    """Queue hits as the endpoints do, minus the thread: these tests flush and confirm by hand."""
    sender.queue.extend(hits)


def events(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count(Event.id)).where(Event.kind == "open")) or 0


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis")
    yield server
    server.stop()


@pytest.fixture(params=["restarted", "flushed-server", "flushed-embedded"])
def lose_data(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Redis, Callable[[], None]]]:
    """A client, and a way to make its Redis lose everything: a real restart, or FLUSHDB."""
    if request.param == "restarted":
        server = RedisServer(tmp_path / "redis")
        yield Redis.from_url(server.url), server.restart
        server.stop()
        return
    url = request.getfixturevalue("redis_url" if request.param == "flushed-server" else "embedded_redis_url")
    client = Redis.from_url(url)
    emptied(client)
    yield client, client.flushdb
    emptied(client)


def test_hits_waiting_in_the_stream_when_redis_loses_it_are_recorded(
    db: Session, settings, lose_data: tuple[Redis, Callable[[], None]]
) -> None:
    redis, lose = lose_data
    sessions = make_session_factory(engine_for(settings.database_url))
    sender = HitSender(redis, sessions)
    queue(sender, opens(sent_email(db, settings), 5))
    assert sender.flush() == 5
    lose()
    assert redis.xlen(STREAM) == 0, "the answered opens are gone from Redis"
    assert sender.confirm() == 5
    assert drain(redis, sessions) == 5
    assert events(db) == 5


def test_hits_drained_just_before_redis_lost_its_data_are_not_recorded_twice(
    db: Session, settings, lose_data: tuple[Redis, Callable[[], None]]
) -> None:
    redis, lose = lose_data
    sessions = make_session_factory(engine_for(settings.database_url))
    sender = HitSender(redis, sessions)
    send = sent_email(db, settings)
    queue(sender, opens(send, 3))
    sender.flush()
    assert drain(redis, sessions) == 3  # recorded, but the sender has not looked yet
    queue(sender, opens(send, 2, first=10))
    sender.flush()
    lose()
    assert sender.confirm() == 5, "the sender cannot tell which were drained, so it pushes all again"
    drain(redis, sessions)
    assert events(db) == 5


def test_what_the_drain_recorded_is_forgotten_by_the_sender(db: Session, settings, own_redis) -> None:
    redis = Redis.from_url(own_redis.url)
    sessions = make_session_factory(engine_for(settings.database_url))
    sender = HitSender(redis, sessions)
    queue(sender, opens(sent_email(db, settings), 4))
    sender.flush()
    assert sender.confirm() == 0 and sender.pushed_hits == 4, "still waiting in the stream"
    drain(redis, sessions)
    sender.confirm()
    assert sender.pushed_hits == 0
    own_redis.restart()
    assert sender.confirm() == 0
    assert events(db) == 4


def test_while_redis_is_down_the_sender_keeps_what_it_pushed(db: Session, settings, own_redis) -> None:
    redis = Redis.from_url(own_redis.url, socket_connect_timeout=0.5)
    sessions = make_session_factory(engine_for(settings.database_url))
    sender = HitSender(redis, sessions)
    queue(sender, opens(sent_email(db, settings), 3))
    sender.flush()
    own_redis.stop()
    assert sender.confirm() == 0 and sender.pushed_hits == 3
    own_redis.start()
    assert sender.confirm() == 3
    drain(redis, sessions)
    assert events(db) == 3


def test_a_stalled_drain_bounds_what_the_sender_keeps(
    db: Session, settings, own_redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hit_sender, "KEPT_HITS", 10)
    sender = HitSender(Redis.from_url(own_redis.url), make_session_factory(engine_for(settings.database_url)))
    send = sent_email(db, settings)
    for round_ in range(5):
        queue(sender, opens(send, 4, first=round_ * 4))
        sender.flush()
    assert sender.pushed_hits <= 10 and len(sender.pushed) == 2, "the newest entries are kept"
