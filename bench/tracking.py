"""Benchmark the open pixel and the click redirect against a bare Flask endpoint, side by side.

    python -m bench.tracking [--seconds 10] [--connections 64]

Starts the real app and a bare Flask app returning the same bytes, each under gunicorn with
2 sync workers, loads each endpoint with wrk (Debian's `wrk` package) for the same time, then
drains the tracking buffer and counts the events recorded. The last line is

    tracking_vs_bare=... lost_events=...

tracking_vs_bare is the worse of the pixel's and the click's ratio to the bare figure; lost_events
counts hits answered but not recorded once the buffer has drained. Uses DATABASE_URL and
REDIS_URL; refuses a database with real subscribers unless given --allow-existing.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime

from redis import Redis
from sqlalchemy import func, select

from bench.seeding import refuse_real_subscribers, remove_seeded, seed_due
from bench.send import ROOT
from campaigns import schema
from campaigns.db import make_engine, make_session_factory, session_scope
from campaigns.links import ensure_links
from campaigns.models import Event, Send
from campaigns.planner import claim_due_sends
from campaigns.settings import load_settings
from campaigns.tokens import sign
from workers.hit_buffer import STREAM, drain

BIN = os.path.dirname(sys.executable)


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--allow-existing", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    settings = load_settings()
    if not settings.redis_url:
        sys.exit("REDIS_URL must name a Redis server for the benchmark")
    schema.upgrade(settings.database_url)
    sessions = make_session_factory(make_engine(settings.database_url))
    with session_scope(sessions) as session:
        refuse_real_subscribers(session, args.allow_existing)
        remove_seeded(session)
        seed_due(session, 1)
        [send_id] = claim_due_sends(session, datetime.now(UTC)).send_ids
        send = session.get_one(Send, send_id)
        [link_id] = ensure_links(
            session, send.step_version_id or 0, ["https://www.nccih.nih.gov/health/fibromyalgia"]
        )
    redis = Redis.from_url(settings.redis_url)
    redis.delete(STREAM)
    paths = {
        "pixel": f"/t/o/{sign(settings.secret_key, 'open', [send_id])}",
        "click": f"/t/c/{sign(settings.secret_key, 'click', [send_id, link_id])}",
    }
    figures: dict[str, float] = {}
    answered = 0
    for name, app, port in (("real", "wsgi:app", 18081), ("bare", "bench.bare_app:app", 18082)):
        server = gunicorn(app, port)
        try:
            for endpoint, path in paths.items():
                rate, count = wrk(f"http://127.0.0.1:{port}{path}", args.seconds, args.connections)
                figures[f"{name}_{endpoint}_per_s"] = rate
                answered += count if name == "real" else 0
        finally:
            server.terminate()
            server.wait(timeout=30)
    started = time.perf_counter()
    recorded = drain(redis, sessions)
    with session_scope(sessions) as session:
        events = session.scalar(select(func.count(Event.id)).where(Event.send_id == send_id)) or 0
        remove_seeded_events(session, send_id)
        remove_seeded(session)
    for key, value in figures.items():
        print(f"{key}: {value:,.0f}")
    print(f"answered hits: {answered:,}; drained {recorded:,} in {time.perf_counter() - started:.1f} s")
    ratio = min(
        figures["real_pixel_per_s"] / figures["bare_pixel_per_s"],
        figures["real_click_per_s"] / figures["bare_click_per_s"],
    )
    print(f"tracking_vs_bare={ratio:.2f} lost_events={max(0, answered - events)}")
    return 0


def remove_seeded_events(session, send_id: int) -> None:  # type: ignore[no-untyped-def]
    """Delete the benchmark's events and rollups."""
    from sqlalchemy import delete

    from campaigns.models import LinkRollup, StatRollup

    session.execute(delete(Event).where(Event.send_id == send_id))
    version = session.scalar(select(Send.step_version_id).where(Send.id == send_id))
    session.execute(delete(StatRollup).where(StatRollup.step_version_id == version))
    session.execute(delete(LinkRollup))


def gunicorn(app: str, port: int) -> subprocess.Popen[bytes]:
    """Start gunicorn with 2 sync workers and wait until it answers."""
    process = subprocess.Popen(
        [f"{BIN}/gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--log-level", "warning", app],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            break
        except urllib.error.HTTPError:
            break  # the bare app has no /healthz: a 404 means it is up
        except OSError:
            time.sleep(0.1)
    return process


def wrk(url: str, seconds: int, connections: int) -> tuple[float, int]:
    """Load `url` with wrk; return requests per second and how many were answered 2xx or 3xx."""
    out = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, total - (int(bad.group(1)) if bad else 0)


if __name__ == "__main__":
    sys.exit(main())
