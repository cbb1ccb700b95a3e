"""Exactly once, on real PostgreSQL and Redis, with real RQ workers and a provider counting by send id.

In every case each due email reaches the provider exactly once, or is left `unknown` and
reported, and never twice: a worker SIGKILLed mid-batch, Redis flushed mid-run, the same job
run twice, two planners at once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
import pytest
from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.sendgrid_server import FakeSendGrid, Reply, RunningServer
from campaigns.db import make_session_factory
from campaigns.models import Send
from campaigns.recovery import ORPHAN_AFTER, SENDING_TIMEOUT
from campaigns.settings import Settings
from campaigns.statuses import SendStatus
from campaigns.tick import plan
from tests.conftest import empty_tables, engine_for, make_settings
from tests.factories import active_subscriber, seeded
from workers.jobs import SEND_JOB_TIMEOUT_S
from workers.liveness import lost_jobs
from workers.queues import QUEUES, SEND_QUEUE, WORKER_CLASS, enqueue

N = 60
BATCH = 10
RQ = str(Path(sys.executable).parent / "rq")


@pytest.fixture(params=["postgresql"])
def pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The PostgreSQL test database, emptied afterwards."""
    url = request.getfixturevalue("postgresql_url")
    yield url
    empty_tables(engine_for(url))


@pytest.fixture
def provider() -> Iterator[tuple[FakeSendGrid, str]]:
    state = FakeSendGrid(latency_s=0.3, keep_requests=False)
    server = RunningServer(state)
    yield state, server.url
    server.stop()


@pytest.fixture
def settings(pg_url: str, redis_url: str, redis: Redis, provider, tmp_path: Path) -> Settings:
    return make_settings(
        tmp_path,
        DATABASE_URL=pg_url,
        REDIS_URL=redis_url,
        EMAIL_BACKEND="sendgrid",
        SENDGRID_API_KEY="SG.key",
        SENDGRID_API_HOST=provider[1],
    )


@pytest.fixture
def due(db: Session, settings: Settings) -> datetime:
    """N subscribers whose first email is due now, in a sequence open at every hour."""
    sequence = seeded(db, settings)
    for step in sequence.steps:
        step.window_start_hour, step.window_end_hour, step.window_weekdays = 0, 24, 0b1111111
    now = datetime.now(UTC)
    for n in range(N):
        active_subscriber(db, sequence, email=f"reader{n}@example.com", now=now - timedelta(minutes=5))
    return now


def worker_environment(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url or "",
        "SECRET_KEY": settings.secret_key,
        "EMAIL_BACKEND": "sendgrid",
        "SENDGRID_API_KEY": "SG.key",
        "SENDGRID_API_HOST": settings.sendgrid_api_host or "",
        "INSTANCE_DIR": str(settings.instance_dir),
        "PUBLIC_BASE_URL": "",
    }


def start_worker(settings: Settings, burst: bool = False) -> subprocess.Popen[bytes]:
    """Start a real `rq worker` process in its own process group."""
    argv = [RQ, "worker", "--url", settings.redis_url or "", "--worker-class", WORKER_CLASS]
    argv += ["--burst"] if burst else []
    return subprocess.Popen(
        [*argv, *QUEUES],
        env=worker_environment(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def kill_with_work_horse(worker: subprocess.Popen[bytes]) -> None:
    """SIGKILL the worker and the work horse it forked for the job (RQ gives it its own session)."""
    parent = psutil.Process(worker.pid)
    for process in [*parent.children(recursive=True), parent]:
        process.kill()
    worker.wait()


def plan_into_redis(settings: Settings, redis: Redis, now: datetime) -> int:
    """Plan as the cron's planner does: jobs named on their sends, lost jobs told by RQ's records."""
    sessions = make_session_factory(engine_for(settings.database_url))

    def hand_on(ids: list[int]) -> str:
        job = "workers.jobs.send_batch"
        return enqueue(redis, job, ids, queue=SEND_QUEUE, job_timeout=SEND_JOB_TIMEOUT_S)

    return plan(sessions, now, hand_on, batch_size=BATCH, lost_jobs=lambda ids: lost_jobs(redis, ids))


def statuses(db: Session) -> dict[str, int]:
    db.expire_all()
    rows = db.execute(select(Send.status, func.count()).group_by(Send.status))
    return {str(status): count for status, count in rows}


def assert_exactly_once(db: Session, fake: FakeSendGrid) -> None:
    """Sent means received once; unknown may have been received once; nothing twice."""
    db.expire_all()
    sends = db.scalars(select(Send)).all()
    assert len(sends) == N
    assert max(fake.accepted.values()) == 1, "an email reached the provider twice"
    for send in sends:
        received = fake.accepted.get(f"send-{send.id}", 0)
        if send.status == SendStatus.SENT:
            assert received == 1
        else:
            assert send.status == SendStatus.UNKNOWN, send.status
            assert received <= 1


def wait_until(condition, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_worker_killed_mid_batch_leaves_unknowns_and_never_a_duplicate(
    db: Session, settings: Settings, redis: Redis, provider, due: datetime
) -> None:
    fake, _ = provider
    fake.expect(Reply(), Reply(), Reply(hang_s=60))  # the third batch stays in flight until the kill
    plan_into_redis(settings, redis, due)
    worker = start_worker(settings)
    wait_until(lambda: len(fake.accepted) >= 2 * BATCH + 1)  # two batches done, a third in flight
    kill_with_work_horse(worker)
    assert statuses(db).get("sending", 0) >= 1

    plan_into_redis(settings, redis, datetime.now(UTC) + SENDING_TIMEOUT)
    survivor = start_worker(settings, burst=True)
    assert survivor.wait(timeout=120) == 0
    counts = statuses(db)
    assert counts.get("unknown", 0) >= 1 and counts.get("sending", 0) == 0
    assert counts["sent"] + counts["unknown"] == N
    assert_exactly_once(db, fake)


def test_redis_flushed_mid_run_loses_nothing(
    db: Session, settings: Settings, redis: Redis, provider, due
) -> None:
    fake, _ = provider
    plan_into_redis(settings, redis, due)
    worker = start_worker(settings)
    wait_until(lambda: len(fake.accepted) >= BATCH)
    redis.flushdb()  # the queue and every job in it are gone
    time.sleep(1)
    os.killpg(worker.pid, signal.SIGTERM)
    worker.wait(timeout=30)
    assert plan_into_redis(settings, redis, datetime.now(UTC)) == 0  # their jobs may just be slow
    assert plan_into_redis(settings, redis, datetime.now(UTC) + ORPHAN_AFTER) > 0
    assert start_worker(settings, burst=True).wait(timeout=120) == 0
    assert statuses(db) == {"sent": N}
    assert_exactly_once(db, fake)


def test_the_same_jobs_run_twice_by_two_workers_send_once(
    db: Session, settings: Settings, redis: Redis, provider, due
) -> None:
    fake, _ = provider
    plan_into_redis(settings, redis, due)
    queue_key = f"rq:queue:{SEND_QUEUE}"
    for job_id in redis.lrange(queue_key, 0, -1):  # RQ is at-least-once: deliver every job twice
        redis.rpush(queue_key, job_id)
    first, second = start_worker(settings, burst=True), start_worker(settings, burst=True)
    assert first.wait(timeout=120) == 0 and second.wait(timeout=120) == 0
    assert statuses(db) == {"sent": N}
    assert_exactly_once(db, fake)


def test_two_planners_at_once_claim_each_email_once(
    db: Session, settings: Settings, redis: Redis, due
) -> None:
    sessions = make_session_factory(engine_for(settings.database_url))
    handed: list[list[int]] = [[], []]
    barrier = threading.Barrier(2)

    def planner(mine: list[int]) -> None:
        barrier.wait()
        plan(sessions, due, mine.extend, batch_size=5)

    threads = [threading.Thread(target=planner, args=(mine,)) for mine in handed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    everything = handed[0] + handed[1]
    assert len(everything) == len(set(everything)) == N
    assert statuses(db) == {"queued": N}
