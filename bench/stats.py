"""Benchmark reading a sequence's stats at scale, and how far the counts lag the raw events.

    python -m bench.stats [--subscribers 1000000] [--reads 50]

Seeds (in SQL, on PostgreSQL) N subscribers who went through five steps of the default sequence:
5 sends and 20 events each, so 1M subscribers make 5M sends and 20M events, with the rollups the
engine keeps. Then it reads the sequence's full stats `--reads` times and reports the 95th
percentile, requests the admin's stats page (`/admin/sequences/<id>/stats`: funnel, 90-day
chart, versions, links) as many times through the real app, and measures staleness: new opens
go through the real path (web process queue, Redis stream, the drain job on its cron interval)
while the time until the stats show them is taken. The last line is

    stats_p95_ms=... stats_page_p95_ms=... staleness_s=...

Uses DATABASE_URL (PostgreSQL) and REDIS_URL; refuses a database with real subscribers (it rebuilds
the rollups), and removes what it seeded when it ends.
"""

from __future__ import annotations

import argparse
import re
import secrets
import statistics
import sys
import threading
import time
from datetime import UTC, datetime

from redis import Redis
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from bench.seeding import BENCH_DOMAIN, refuse_real_subscribers, remove_seeded
from campaigns import schema
from campaigns.accounts import create_user
from campaigns.db import make_engine, make_session_factory, session_scope
from campaigns.models import Send, Sequence
from campaigns.seed import seed_default_sequence
from campaigns.settings import Settings, load_settings
from campaigns.stats import sequence_stats
from campaigns.statuses import Role
from campaigns.tracking import Hit
from workers.cron import DRAIN_INTERVAL_S
from workers.hit_buffer import drain, push

EVENT_KINDS = "ARRAY['provider.delivered', 'open', 'open', 'click']"
SEED_SQL = [
    """INSERT INTO subscribers (email, timezone, status, created_at)
       SELECT 'reader' || g || '@{domain}', 'America/New_York', 'active', now() - interval '40 days'
       FROM generate_series(1, {n}) g""",
    """INSERT INTO enrollments (subscriber_id, sequence_id, status, enrolled_at, last_sent_at)
       SELECT id, {sequence}, 'active', created_at, now() FROM subscribers WHERE email LIKE '%@{domain}'""",
    """INSERT INTO sends (enrollment_id, step_id, step_version_id, subscriber_id, status, queued_at, attempts,
                          sent_at, delivered_at, opened_at, human_opened_at, clicked_at, human_clicked_at)
       SELECT e.id, v.step_id, v.id, e.subscriber_id, 'sent', t.at, 1, t.at, t.at,
              CASE WHEN r < 0.6 THEN t.at END, CASE WHEN r < 0.4 THEN t.at END,
              CASE WHEN r < 0.2 THEN t.at END, CASE WHEN r < 0.15 THEN t.at END
       FROM enrollments e
       JOIN step_versions v
         ON v.step_id IN (SELECT id FROM steps WHERE sequence_id = {sequence} AND position <= 5)
       CROSS JOIN LATERAL (
           SELECT e.enrolled_at + (v.step_id % 7) * interval '4 days' AS at,
                  ((e.id::bigint * 7919 + v.id * 104729) % 1000) / 1000.0 AS r  -- per row, repeatably
       ) t
       WHERE e.sequence_id = {sequence}""",
    """INSERT INTO events (send_id, subscriber_id, kind, occurred_at, automated, data)
       SELECT s.id, s.subscriber_id, ({kinds})[k], s.sent_at + k * interval '1 hour', k = 2, '{{}}'
       FROM sends s CROSS JOIN generate_series(1, 4) k
       WHERE s.subscriber_id IN (SELECT id FROM subscribers WHERE email LIKE '%@{domain}')""",
]
ROLLUP_SQL = """
    INSERT INTO stat_rollups (step_version_id, day, metric, count)
    SELECT step_version_id, CAST(at AS date), metric, count(*) FROM (
        SELECT step_version_id, sent_at AS at, 'sent' AS metric FROM sends WHERE sent_at IS NOT NULL
        UNION ALL SELECT step_version_id, delivered_at, 'delivered' FROM sends
            WHERE delivered_at IS NOT NULL
        UNION ALL SELECT step_version_id, opened_at, 'opened' FROM sends WHERE opened_at IS NOT NULL
        UNION ALL SELECT step_version_id, human_opened_at, 'opened_human' FROM sends
            WHERE human_opened_at IS NOT NULL
        UNION ALL SELECT step_version_id, clicked_at, 'clicked' FROM sends WHERE clicked_at IS NOT NULL
        UNION ALL SELECT step_version_id, human_clicked_at, 'clicked_human' FROM sends
            WHERE human_clicked_at IS NOT NULL
    ) firsts GROUP BY step_version_id, CAST(at AS date), metric
    ON CONFLICT (step_version_id, day, metric) DO UPDATE SET count = excluded.count
"""

SIGNUP_ROLLUP_SQL = """
    INSERT INTO sequence_rollups (sequence_id, day, metric, count)
    SELECT {sequence}, CAST(created_at AS date), metric, count(*)
    FROM subscribers CROSS JOIN (VALUES ('signed_up'), ('confirmed')) m(metric)
    WHERE email LIKE '%@{domain}' GROUP BY CAST(created_at AS date), metric
"""
BENCH_ADMIN = f"stats-reader@{BENCH_DOMAIN}"


def page_p95_ms(settings: Settings, sessions: sessionmaker[Session], sequence_id: int, reads: int) -> float:
    """Request the stats page `reads` times through the real app, signed in; return the p95 in ms."""
    from web import create_app

    password = secrets.token_urlsafe(16)
    with session_scope(sessions) as session:
        create_user(session, BENCH_ADMIN, Role.VIEWER, password, datetime.now(UTC))
    client = create_app(settings).test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/admin/login").text)
    client.post(
        "/admin/login",
        data={"email": BENCH_ADMIN, "password": password, "csrf_token": token and token.group(1)},
    )
    timings = []
    for _ in range(reads):
        started = time.perf_counter()
        response = client.get(f"/admin/sequences/{sequence_id}/stats?days=90")
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"the stats page answered {response.status_code}")
    p95 = statistics.quantiles(timings, n=20)[-1]
    print(
        f"stats page: median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, {len(response.data):,} B"
    )
    return p95


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--subscribers", type=int, default=1_000_000)
    parser.add_argument("--reads", type=int, default=50)
    args = parser.parse_args()
    settings = load_settings()
    if not settings.database_url.startswith("postgresql") or not settings.redis_url:
        sys.exit("the stats benchmark needs DATABASE_URL (PostgreSQL) and REDIS_URL")
    schema.upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    with session_scope(sessions) as session:
        refuse_real_subscribers(session, allowed=False)  # it rewrites rollups: never beside real data
    try:
        sequence_id = seed(engine, sessions, args.subscribers)
        p95 = read_p95(sessions, sequence_id, args.reads)
        page_p95 = page_p95_ms(settings, sessions, sequence_id, args.reads)
        staleness = measure_staleness(sessions, Redis.from_url(settings.redis_url), sequence_id)
    finally:
        clean(engine, sessions)
    print(f"stats_p95_ms={p95:.1f} stats_page_p95_ms={page_p95:.1f} staleness_s={staleness:.1f}")
    return 0


def seed(engine: Engine, sessions: sessionmaker[Session], subscribers: int) -> int:
    """Seed subscribers, sends, events and rollups; return the sequence id."""
    with session_scope(sessions) as session:
        remove_seeded(session)
        seed_default_sequence(session, datetime.now(UTC))
        sequence_id = session.scalars(select(Sequence.id).where(Sequence.is_default)).one()
    started = time.perf_counter()
    with engine.begin() as connection:
        for statement in SEED_SQL:
            sql = statement.format(
                n=subscribers, domain=BENCH_DOMAIN, sequence=sequence_id, kinds=EVENT_KINDS
            )
            connection.execute(text(sql))
        connection.execute(text(ROLLUP_SQL))
        connection.execute(text(SIGNUP_ROLLUP_SQL.format(sequence=sequence_id, domain=BENCH_DOMAIN)))
        counts = connection.execute(
            text("SELECT (SELECT count(*) FROM sends), (SELECT count(*) FROM events)")
        ).one()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))
    print(
        f"seeded {subscribers:,} subscribers, {counts[0]:,} sends, {counts[1]:,} events "
        f"in {time.perf_counter() - started:.0f} s"
    )
    return sequence_id


def read_p95(sessions: sessionmaker[Session], sequence_id: int, reads: int) -> float:
    """Read the full stats `reads` times; return the 95th percentile in milliseconds."""
    timings = []
    for _ in range(reads):
        with sessions() as session:
            started = time.perf_counter()
            stats = sequence_stats(session, sequence_id)
            timings.append((time.perf_counter() - started) * 1000)
    print(
        f"stats read: median {statistics.median(timings):.1f} ms, sent {stats.total['sent']:,}, "
        f"opens {stats.total['opened_human']:,} human / {stats.total['opened']:,} all"
    )
    return statistics.quantiles(timings, n=20)[-1]


def measure_staleness(sessions: sessionmaker[Session], redis: Redis, sequence_id: int) -> float:
    """Send new opens through the stream with the drain job on its cron interval; time until they show."""
    with sessions() as session:
        fresh = session.scalars(select(Send.id).where(Send.opened_at.is_(None)).limit(200)).all()
        before = sequence_stats(session, sequence_id).total["opened"]
    stop = threading.Event()

    def cron() -> None:  # what rq cron does: run the drain job every DRAIN_INTERVAL_S
        while not stop.wait(DRAIN_INTERVAL_S):
            drain(redis, sessions)

    thread = threading.Thread(target=cron, daemon=True)
    thread.start()
    time.sleep(DRAIN_INTERVAL_S / 2)  # the hits arrive at a random moment between two runs
    sent_at = time.perf_counter()
    push(
        redis,
        [Hit("open", send_id, datetime.now(UTC), user_agent="Mozilla/5.0 (bench)") for send_id in fresh],
    )
    while True:
        with sessions() as session:
            if sequence_stats(session, sequence_id).total["opened"] >= before + len(fresh):
                break
        time.sleep(0.2)
    staleness = time.perf_counter() - sent_at
    stop.set()
    thread.join()
    return staleness


def clean(engine: Engine, sessions: sessionmaker[Session]) -> None:
    """Remove what the benchmark seeded."""
    with engine.begin() as connection:
        bench = f"SELECT id FROM subscribers WHERE email LIKE '%@{BENCH_DOMAIN}'"  # noqa: S608 (constants)
        connection.execute(text(f"DELETE FROM events WHERE subscriber_id IN ({bench})"))  # noqa: S608
        connection.execute(text("DELETE FROM stat_rollups"))
        connection.execute(text("DELETE FROM sequence_rollups"))
        admin = {"email": BENCH_ADMIN}
        users = "SELECT id FROM users WHERE email = :email"
        connection.execute(text(f"DELETE FROM audit_log WHERE user_id IN ({users})"), admin)  # noqa: S608
        connection.execute(text(f"DELETE FROM sign_in_sessions WHERE user_id IN ({users})"), admin)  # noqa: S608
        connection.execute(text("DELETE FROM users WHERE email = :email"), admin)
    with session_scope(sessions) as session:
        remove_seeded(session)


if __name__ == "__main__":
    sys.exit(main())
