"""Faults, with real processes: `rq worker` and `rq cron` processes on a PostgreSQL cluster and a
Redis server of the test's own, sending through the real `sendgrid` client to a local server that
counts every email by send id.

After each fault every due email is sent exactly once or reported `unknown`, none twice, and
sending resumes with nobody acting; where a web process answers open pixels through the fault,
every answered open is recorded once. Each test prints how long recovery took.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from rq import Worker
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from bench.seeding import seed_due
from bench.sendgrid_server import FakeSendGrid, Reply, RunningServer
from campaigns import schema
from campaigns.db import make_engine
from campaigns.leadership import CRON, leader
from campaigns.models import Base
from tests.fault_pixels import Pixels, recorded_opens
from tests.fault_rig import (
    PostgresCluster,
    Processes,
    RedisServer,
    assert_exactly_once,
    environment,
    free_port,
    make_due,
    settled,
    statuses,
    wait_until,
)

pytestmark = pytest.mark.faults

FAST_PLANNING = {"PLAN_INTERVAL_S": "5"}
OUTAGE_S = 120
"""The recovery timeouts stay as in production; only the planner looks more often than every 30 s."""


class FlakyProvider(FakeSendGrid):
    """A provider that answers 500 until `down_until` (a monotonic time), then accepts again."""

    down_until: float = 0.0

    async def mail_send(self, body: dict[str, Any], authorization: str) -> tuple[Reply, bool]:
        """Answer 500 while down; otherwise as the fake server does."""
        if time.monotonic() < self.down_until:
            return Reply(status=500, body={"errors": [{"message": "internal error"}]}), False
        return await super().mail_send(body, authorization)


@pytest.fixture(scope="module")
def cluster() -> Iterator[PostgresCluster]:
    """A PostgreSQL cluster of these tests' own, migrated once."""
    server = PostgresCluster()
    schema.upgrade(server.url)
    yield server
    server.remove()


@pytest.fixture
def engine(cluster: PostgresCluster) -> Iterator[Engine]:
    """An engine on the cluster, every table emptied afterwards."""
    engine = make_engine(cluster.url)
    yield engine
    engine.dispose()
    cleaner = make_engine(cluster.url)
    with cleaner.begin() as connection:
        names = ", ".join(t.name for t in Base.metadata.sorted_tables)
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    cleaner.dispose()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis server of this test's own."""
    server = RedisServer(tmp_path / "redis")
    yield server
    server.stop()


@pytest.fixture
def provider() -> Iterator[tuple[FlakyProvider, str]]:
    """The local SendGrid-compatible server, answering after 200 ms."""
    state = FlakyProvider(latency_s=0.2, keep_requests=False)
    server = RunningServer(state)
    yield state, server.url
    server.stop()


def processes(
    tmp_path: Path, cluster: PostgresCluster, redis_server: RedisServer, provider_url: str, **extra: str
):
    """Return a launcher of worker and cron processes on these services."""
    return Processes(tmp_path, environment(cluster.url, redis_server.url, provider_url, tmp_path, **extra))


def seed(engine: Engine, due: int, later: int = 0) -> None:
    """Seed `due` subscribers due now, and `later` more whose email is not due yet."""
    with Session(engine) as session, session.begin():
        seed_due(session, due + later)
        if later:
            session.execute(text("UPDATE enrollments SET next_send_at = NULL WHERE id > :due"), {"due": due})


def report(what: str, seconds: float) -> None:
    """Print a measured recovery time, for the record."""
    print(f"\n{what}: {seconds:.1f} s")


def test_three_crons_the_leader_and_a_worker_killed(
    engine: Engine, cluster: PostgresCluster, redis_server: RedisServer, provider, tmp_path: Path
) -> None:
    fake, url = provider
    seed(engine, due=100, later=200)
    run = processes(tmp_path, cluster, redis_server, url)
    try:
        for _ in range(2):
            run.worker()
        crons = [run.cron() for _ in range(3)]
        wait_until(lambda: settled(engine, 100), 90, "the first 100 emails", lambda: statuses(engine))
        fake.expect(Reply(hang_s=120))  # the next batch stays in flight until its worker is killed
        make_due(engine, 100)
        # In flight means at the provider: a worker killed between marking its rows and posting
        # them would leave the hang to the next batch, which would then time out as unknown.
        wait_until(lambda: sum(fake.accepted.values()) == 200, 60, "a batch in flight at the provider")
        assert statuses(engine).get("sending", 0) == 100
        redis = Redis.from_url(redis_server.url)
        holder = next(w for w in Worker.all(connection=redis) if w.get_current_job_id())
        with Session(engine) as session:
            leading = leader(session, CRON, datetime.now(UTC))
        assert leading is not None
        leading_cron = next(c for c in crons if f":{c.pid}:" in leading)
        killed_at = time.monotonic()
        os.killpg(leading_cron.pid, signal.SIGKILL)
        os.kill(holder.pid, signal.SIGKILL)
        make_due(engine, 100)
        resumed = wait_until(
            lambda: statuses(engine).get("sent", 0) == 200, 60, "planning to resume", lambda: statuses(engine)
        )
        report("planning resumed after the leading cron was killed", resumed)
        wait_until(
            lambda: settled(engine, 300),
            120,
            "the killed worker's batch to be settled",
            lambda: statuses(engine),
        )
        report("the killed worker's batch was marked unknown after", time.monotonic() - killed_at)
        with Session(engine) as session:
            assert leader(session, CRON, datetime.now(UTC)) != leading
    finally:
        run.stop_all()
    assert assert_exactly_once(engine, fake, 300) == {"sent": 200, "unknown": 100}


def test_redis_restarted_empty_mid_run(
    engine: Engine, cluster: PostgresCluster, redis_server: RedisServer, provider, tmp_path: Path
) -> None:
    fake, url = provider
    fake.latency_s = 2.0  # each batch stays in flight long enough for the restart to catch some
    seed(engine, due=5000)
    run = processes(tmp_path, cluster, redis_server, url, **FAST_PLANNING)
    port = free_port()
    try:
        run.worker(), run.worker(), run.cron(), run.cron(), run.web(port)
        pixels = Pixels(engine, port)
        wait_until(lambda: len(fake.accepted) >= 1000, 90, "the first batch to reach the provider")
        wait_until(lambda: pixels.answered >= 200, 30, "opens to be answered")
        restarted_at = time.monotonic()
        redis_server.restart(down_s=2)
        assert statuses(engine).get("queued", 0) > 0  # Redis held their jobs, and lost them
        wait_until(lambda: settled(engine, 5000), 120, "every email to be settled", lambda: statuses(engine))
        report("every email settled after Redis restarted empty", time.monotonic() - restarted_at)
        answered = pixels.stop()
        waited = wait_until(lambda: recorded_opens(engine) >= answered, 60, "every answered open")
        report(f"all {answered} answered opens were recorded, the last after", waited)
        time.sleep(12)  # a drain interval more: nothing is recorded twice either
    finally:
        run.stop_all()
    assert recorded_opens(engine) == answered
    counts = assert_exactly_once(engine, fake, 5000)
    assert counts["sent"] >= 4000, counts


def test_postgres_restarted_mid_batch(
    engine: Engine, cluster: PostgresCluster, redis_server: RedisServer, provider, tmp_path: Path
) -> None:
    fake, url = provider
    fake.latency_s = 2.0
    seed(engine, due=4000)
    run = processes(tmp_path, cluster, redis_server, url, **FAST_PLANNING)
    try:
        run.worker(), run.worker(), run.cron(), run.cron()
        wait_until(lambda: statuses(engine).get("sending", 0) > 0, 90, "a batch in flight")
        engine.dispose()
        restarted_at = time.monotonic()
        cluster.restart(down_s=3)
        wait_until(lambda: settled(engine, 4000), 120, "every email to be settled", lambda: statuses(engine))
        report("every email settled after PostgreSQL restarted mid-batch", time.monotonic() - restarted_at)
    finally:
        run.stop_all()
    counts = assert_exactly_once(engine, fake, 4000)
    assert counts["sent"] >= 2000, counts


def test_the_provider_failing_then_recovering(
    engine: Engine, cluster: PostgresCluster, redis_server: RedisServer, provider, tmp_path: Path
) -> None:
    fake, url = provider
    seed(engine, due=300, later=300)
    run = processes(tmp_path, cluster, redis_server, url, **FAST_PLANNING)
    fake.down_until = time.monotonic() + OUTAGE_S  # 500 for every request for two minutes
    try:
        run.worker(), run.cron(), run.cron()
        wait_until(lambda: statuses(engine).get("queued", 0) == 300, 60, "the batch to be retried")
        fake.expect(Reply(hang_s=30))  # the next request goes out and is never answered in time
        make_due(engine, 300)
        wait_until(
            lambda: settled(engine, 600), OUTAGE_S + 240, "sending to resume", lambda: statuses(engine)
        )
        report("every email settled after the provider's outage ended", time.monotonic() - fake.down_until)
    finally:
        run.stop_all()
    counts = assert_exactly_once(engine, fake, 600)
    assert counts["sent"] >= 300, counts
