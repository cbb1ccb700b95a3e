"""Benchmark the send pipeline: planner, RQ workers, SendGrid adapter, against a local v3 server.

    python -m bench.send --emails 100000 --latency-ms 100 --workers 2

Seeds N subscribers due now (addresses @bench.invalid), runs the planner, starts K `rq worker`
processes sending through the real `sendgrid` client to a local server that speaks the v3
mail-send API and answers after L ms, waits until every send is settled, and prints its
figures; the last line is

    emails_per_s=... cpu_s_per_1000=... peak_worker_rss_mb=... duplicates=... missing=...

Duplicates and missing are counted by send id at the server. It uses the database and Redis
named by DATABASE_URL and REDIS_URL, refuses a database that holds real subscribers unless
given --allow-existing, and removes what it seeded when it ends.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import psutil
from redis import Redis
from rq import Worker
from sqlalchemy import func, select

from bench.seeding import refuse_real_subscribers, remove_seeded, seed_due, vacuum
from campaigns import schema
from campaigns.db import make_engine, make_session_factory, session_scope
from campaigns.models import Send
from campaigns.settings import load_settings
from campaigns.statuses import SendStatus
from campaigns.tick import plan
from workers.jobs import SEND_JOB_TIMEOUT_S
from workers.queues import PATIENT_CONNECTION_CLASS, QUEUES, SEND_QUEUE, WORKER_CLASS, enqueue

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WORKER_OPTIONS = os.environ.get(
    "BENCH_WORKER_OPTIONS", f"--worker-class {WORKER_CLASS} --connection-class {PATIENT_CONNECTION_CLASS}"
).split()


def main() -> int:
    """Run the benchmark and print its figures."""
    args = parse_args()
    settings = load_settings()
    if not settings.redis_url:
        sys.exit("REDIS_URL must name a Redis server for the benchmark")
    schema.upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    with session_scope(sessions) as session:
        refuse_real_subscribers(session, args.allow_existing)
        remove_seeded(session)
    vacuum(engine)
    with session_scope(sessions) as session:
        seed_due(session, args.emails)
    redis = Redis.from_url(settings.redis_url)
    for queue in QUEUES:
        redis.delete(f"rq:queue:{queue}")
    server, server_url = start_server(args.port, args.latency_ms)
    workers = [
        start_worker(settings.redis_url, server_url, settings.database_url) for _ in range(args.workers)
    ]
    try:
        figures = run(sessions, redis, workers, args.emails, server_url)
    finally:
        for process in [*workers, server]:
            process.terminate()
            process.wait(timeout=30)
        with session_scope(sessions) as session:
            remove_seeded(session)
        engine.dispose()
    for name, value in figures.items():
        print(f"{name}: {value}")
    print(" ".join(f"{k}={figures[k]}" for k in LAST_LINE))
    return 0


LAST_LINE = ("emails_per_s", "cpu_s_per_1000", "peak_worker_rss_mb", "duplicates", "missing")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--emails", type=int, default=10_000)
    parser.add_argument("--latency-ms", type=float, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=18025)
    parser.add_argument("--allow-existing", action="store_true", help="run beside real subscribers")
    return parser.parse_args()


def niced(argv: list[str], nice: int) -> list[str]:
    """Return a command line that runs at CPU priority `nice` (0: as the benchmark does)."""
    return ["nice", "-n", str(nice), *argv] if nice else argv


def start_server(port: int, latency_ms: float, nice: int = 0) -> tuple[subprocess.Popen[bytes], str]:
    """Start the local v3 server in its own process."""
    argv = [
        sys.executable,
        "-m",
        "bench.sendgrid_server",
        "--port",
        str(port),
        "--latency-ms",
        str(latency_ms),
    ]
    server = subprocess.Popen(
        niced(argv, nice),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}/_counts", timeout=1)  # noqa: S310 (our own localhost)
            return server, url
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the local SendGrid server did not start")


def start_worker(
    redis_url: str, server_url: str, database_url: str, nice: int = 0
) -> subprocess.Popen[bytes]:
    """Start one `rq worker` that sends through SendGrid to the local server."""
    environ = {
        **os.environ,
        "EMAIL_BACKEND": "sendgrid",
        "SENDGRID_API_KEY": "SG.bench",
        "SENDGRID_API_HOST": server_url,
        "REDIS_URL": redis_url,
        "DATABASE_URL": database_url,
    }
    argv = [str(BIN / "rq"), "worker", "--url", redis_url, "--quiet", *WORKER_OPTIONS, *QUEUES]
    return subprocess.Popen(
        niced(argv, nice),
        cwd=ROOT,
        env=environ,
        stdout=subprocess.DEVNULL,
    )


def run(sessions, redis: Redis, workers, count: int, server_url: str) -> dict[str, object]:
    """Plan, wait until every send is settled, and measure."""
    processes = [psutil.Process(w.pid) for w in workers]
    wait_until_listening(redis, len(workers))
    cpu_before = sum(cpu_of(p) for p in processes)  # start-up (imports) is not the pipeline's cost
    started, planner_cpu = time.perf_counter(), time.process_time()

    def hand_on(ids: list[int]) -> None:
        enqueue(redis, "workers.jobs.send_batch", ids, queue=SEND_QUEUE, job_timeout=SEND_JOB_TIMEOUT_S)

    plan(sessions, datetime.now(UTC), hand_on)
    planner_cpu = time.process_time() - planner_cpu
    peak_rss = 0.0
    while True:
        peak_rss = max(peak_rss, max(rss_of(p) for p in processes))
        with sessions() as session:
            open_ = session.scalar(
                select(func.count(Send.id)).where(Send.status.in_([SendStatus.QUEUED, SendStatus.SENDING]))
            )
        if open_ == 0:
            break
        time.sleep(0.2)
    elapsed = time.perf_counter() - started
    worker_cpu = sum(cpu_of(p) for p in processes) - cpu_before
    cpu = worker_cpu + planner_cpu
    with urllib.request.urlopen(f"{server_url}/_counts", timeout=10) as response:  # noqa: S310
        received: dict[str, int] = json.loads(response.read())
    with sessions() as session:
        statuses = dict(session.execute(select(Send.status, func.count()).group_by(Send.status)).all())
        sent_ids = set(session.scalars(select(Send.id).where(Send.status == SendStatus.SENT)))
    return {
        "elapsed_s": round(elapsed, 2),
        "planner_cpu_s": round(planner_cpu, 2),
        "worker_cpu_s": round(worker_cpu, 2),
        "statuses": {str(k): v for k, v in statuses.items()},
        "emails_per_s": round(len(sent_ids) / elapsed),
        "cpu_s_per_1000": round(cpu / count * 1000, 3),
        "peak_worker_rss_mb": round(peak_rss / 2**20, 1),
        "duplicates": sum(1 for n in received.values() if n > 1),
        "missing": count - sum(1 for i in sent_ids if received.get(f"send-{i}") == 1),
    }


def wait_until_listening(redis: Redis, count: int) -> None:
    """Wait until `count` workers have registered with Redis and settled."""
    for _ in range(300):
        if len(Worker.all(connection=redis)) >= count:
            time.sleep(0.5)
            return
        time.sleep(0.1)
    raise SystemExit("the workers did not start")


def cpu_of(process: psutil.Process) -> float:
    """CPU seconds of a worker and of the work horses it has reaped."""
    times = process.cpu_times()
    return times.user + times.system + times.children_user + times.children_system


def rss_of(process: psutil.Process) -> float:
    """Resident memory of a worker and its live work horses, in bytes."""
    try:
        return process.memory_info().rss + sum(c.memory_info().rss for c in process.children(recursive=True))
    except psutil.NoSuchProcess:
        return 0.0


if __name__ == "__main__":
    sys.exit(main())
