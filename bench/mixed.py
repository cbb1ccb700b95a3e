"""Benchmark mixed load: signups, tracking hits and a large send, all at once on one machine.

    python -m bench.mixed --emails 100000 --signups-per-s 50 --hits-per-s 1000

Seeds N subscribers due now (addresses @bench.invalid), starts the real web app under gunicorn,
two `rq worker` processes and an `rq cron` (which drains the tracking hits), and a local server
that speaks SendGrid's v3 mail-send API and answers after 100 ms. It then plans the send and, while
it goes out, posts signups to `/subscribe` and fetches open pixels of sent emails at fixed rates
(open loop: a late answer does not slow the load down, and counts from when it was due). The last
line is

    signup_p95_ms=... tracking_p95_ms=... emails_per_s=... errors=... lost_events=... duplicates=...

`errors` counts signups not answered 202, pixels not answered 200, failed connections and sends
not sent; `lost_events` counts answered pixels with no recorded event; `duplicates` counts emails
the server received more than once. It uses DATABASE_URL and REDIS_URL, refuses a database with
real subscribers unless given --allow-existing, and removes what it seeded.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path

from redis import Redis
from sqlalchemy import delete, func, select

from bench.load import Load, run_load
from bench.seeding import BENCH_DOMAIN, refuse_real_subscribers, remove_seeded, seed_due, vacuum
from bench.send import start_server, start_worker, wait_until_listening
from campaigns import schema
from campaigns.db import make_engine, make_session_factory, session_scope
from campaigns.models import ConsentRecord, Event, LinkRollup, Send, SignupAttempt, StatRollup, Subscriber
from campaigns.settings import load_settings
from campaigns.statuses import SendStatus
from campaigns.tick import plan
from campaigns.tokens import sign
from workers.hit_buffer import GROUP, STREAM, drain
from workers.jobs import SEND_JOB_TIMEOUT_S
from workers.queues import PATIENT_CONNECTION_CLASS, QUEUES, SEND_QUEUE, enqueue

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SIGNUP_PREFIX = "bench-signup-"
"""Signups need an address the validator accepts, unlike the seeded ones at bench.invalid."""
SETTLE_S = 3.0
"""How long the stream must stay empty, with nothing pending, before events are counted."""
LAST_LINE = ("signup_p95_ms", "tracking_p95_ms", "emails_per_s", "errors", "lost_events", "duplicates")


def main() -> int:
    """Run the benchmark and print its figures."""
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))  # still stop what it started
    settings = load_settings()
    if not settings.redis_url:
        sys.exit("REDIS_URL must name a Redis server for the benchmark")
    schema.upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    with session_scope(sessions) as session:
        refuse_real_subscribers(session, args.allow_existing)
        remove_everything(session)
    vacuum(engine)
    with session_scope(sessions) as session:
        seed_due(session, args.emails)
    redis = Redis.from_url(settings.redis_url)
    for queue in QUEUES:
        redis.delete(f"rq:queue:{queue}")
    redis.delete(STREAM)
    server, server_url = start_server(args.port, args.latency_ms, args.worker_nice)  # stands for SendGrid
    environ = bench_environment(settings.database_url, settings.redis_url, server_url)
    workers = [
        start_worker(settings.redis_url, server_url, settings.database_url, args.worker_nice)
        for _ in range(args.workers)
    ]
    others = [start_cron(environ), start_web(environ, args.web_port, args.web_workers, args.web_threads)]
    try:
        wait_until_listening(redis, args.workers)
        figures = run(args, sessions, redis, settings.secret_key, server_url)
    finally:
        for process in [*workers, *others, server]:
            process.terminate()
            process.wait(timeout=30)
        with session_scope(sessions) as session:
            remove_everything(session)
        engine.dispose()
    for name, value in figures.items():
        print(f"{name}: {value}")
    print(" ".join(f"{k}={figures[k]}" for k in LAST_LINE))
    return 0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--emails", type=int, default=100_000)
    parser.add_argument("--signups-per-s", type=float, default=50)
    parser.add_argument("--hits-per-s", type=float, default=1000)
    parser.add_argument("--latency-ms", type=float, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--web-threads", type=int, default=1, help="threads per web worker (gthread if > 1)")
    parser.add_argument(
        "--worker-nice", type=int, default=10, help="the rq workers' CPU priority, as Nice= in their unit"
    )
    parser.add_argument("--port", type=int, default=18026)
    parser.add_argument("--web-port", type=int, default=18083)
    parser.add_argument("--allow-existing", action="store_true", help="run beside real subscribers")
    return parser.parse_args()


def bench_environment(database_url: str, redis_url: str, server_url: str) -> dict[str, str]:
    """Return the environment of the web app and the cron: the bench's services, behind one proxy."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "EMAIL_BACKEND": "sendgrid",
        "SENDGRID_API_KEY": "SG.bench",
        "SENDGRID_API_HOST": server_url,
        # Signups come from many addresses through a load balancer, as in production.
        "TRUSTED_PROXY_COUNT": "1",
    }


def start_cron(environ: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start an `rq cron` as the Procfile does: it drains the tracking hits every 10 s."""
    argv = [
        str(BIN / "rq"),
        "cron",
        "--url",
        environ["REDIS_URL"],
        "--connection-class",
        PATIENT_CONNECTION_CLASS,
    ]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    return subprocess.Popen([*argv, "workers/cron.py"], cwd=ROOT, env=environ, **quiet)


def start_web(environ: dict[str, str], port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    """Start the real web app under gunicorn and wait until it answers."""
    argv = [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    if threads > 1:
        argv += ["--worker-class", "gthread", "--threads", str(threads)]
    argv += ["--log-level", "warning"]
    process = subprocess.Popen([*argv, "wsgi:app"], cwd=ROOT, env=environ)
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except urllib.error.HTTPError:
            return process
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the web app did not start")


def run(
    args: argparse.Namespace, sessions, redis: Redis, secret_key: str, server_url: str
) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Plan the send, load the web app while it goes out, then count what was lost or doubled."""
    started = time.perf_counter()

    def hand_on(ids: list[int]) -> str:
        return enqueue(
            redis, "workers.jobs.send_batch", ids, queue=SEND_QUEUE, job_timeout=SEND_JOB_TIMEOUT_S
        )

    plan(sessions, datetime.now(UTC), hand_on)
    with sessions() as session:
        send_ids = list(session.scalars(select(Send.id).where(Send.subscriber_id.is_not(None))))
    opened = random.sample(send_ids, min(20_000, len(send_ids)))
    pixels = [f"/t/o/{sign(secret_key, 'open', [send_id])}" for send_id in opened]
    run_id = uuid.uuid4().hex[:8]  # the per-address limit remembers earlier runs' addresses for an hour
    signups = (
        json.dumps(
            {"email": f"{SIGNUP_PREFIX}{run_id}-{n}@example.com", "consent": True, "timezone": "Europe/Paris"}
        ).encode()
        for n in range(10**9)
    )
    loads = [
        Load("signup", args.signups_per_s, "POST", lambda n: "/subscribe", lambda n: next(signups), 202),
        Load("tracking", args.hits_per_s, "GET", lambda n: pixels[n % len(pixels)], None, 200),
    ]
    results = run_load(
        "127.0.0.1", args.web_port, loads, until=lambda: open_sends(sessions) == 0, forwarded=True
    )
    sent_at = time.perf_counter()
    elapsed = sent_at - started
    hits_answered = results["tracking"].ok
    recorded = drained(redis, sessions)
    with sessions() as session:
        events = session.scalar(select(func.count(Event.id)).where(Event.kind == "open")) or 0
        sent = session.scalar(select(func.count(Send.id)).where(Send.status == SendStatus.SENT)) or 0
        not_sent = session.scalar(select(func.count(Send.id)).where(Send.status != SendStatus.SENT)) or 0
    with urllib.request.urlopen(f"{server_url}/_counts", timeout=10) as response:  # noqa: S310
        received: dict[str, int] = json.loads(response.read())
    errors = sum(result.errors for result in results.values()) + not_sent
    return {
        "elapsed_s": round(elapsed, 1),
        "signups": results["signup"].summary(),
        "tracking_hits": results["tracking"].summary(),
        "drained_at_end": recorded,
        "signup_p95_ms": results["signup"].p95_ms(),
        "tracking_p95_ms": results["tracking"].p95_ms(),
        "emails_per_s": round(sent / elapsed),
        "errors": errors,
        "lost_events": max(0, hits_answered - events),
        "duplicates": sum(1 for n in received.values() if n > 1),
    }


def drained(redis: Redis, sessions) -> int:  # type: ignore[no-untyped-def]
    """Drain what the cron has not, and wait until no hit waits in the stream; return how many."""
    recorded, quiet_since = 0, time.monotonic()
    while time.monotonic() - quiet_since < SETTLE_S:
        recorded += drain(redis, sessions)
        if redis.xlen(STREAM) or redis.xpending(STREAM, GROUP)["pending"]:  # the cron's batch in flight
            quiet_since = time.monotonic()
        time.sleep(0.2)
    return recorded


def open_sends(sessions) -> int:  # type: ignore[no-untyped-def]
    """Count the benchmark's sends still queued or in flight."""
    with sessions() as session:
        return (
            session.scalar(
                select(func.count(Send.id)).where(Send.status.in_([SendStatus.QUEUED, SendStatus.SENDING]))
            )
            or 0
        )


def remove_everything(session) -> None:  # type: ignore[no-untyped-def]
    """Delete the benchmark's events, rollups, consent records and subscribers."""
    signed_up = Subscriber.email.like(f"{SIGNUP_PREFIX}%@example.com")
    seeded = select(Subscriber.id).where(Subscriber.email.like(f"%@{BENCH_DOMAIN}") | signed_up)
    session.execute(delete(Event).where(Event.subscriber_id.in_(seeded)))
    session.execute(delete(StatRollup))
    session.execute(delete(LinkRollup))
    session.execute(delete(ConsentRecord).where(ConsentRecord.subscriber_id.in_(seeded)))
    remove_seeded(session)
    session.execute(delete(Subscriber).where(signed_up))
    session.execute(delete(SignupAttempt).where(SignupAttempt.email.like(f"{SIGNUP_PREFIX}%@example.com")))


if __name__ == "__main__":
    sys.exit(main())
