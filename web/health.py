"""`GET /healthz`: whether the database and Redis answer, and how the background work is doing.

The status code speaks only of this web process's own dependencies: a load balancer must not pull
web nodes because a cron process died. The planner's and the tracking drain's ages and the
tracking backlog are in the body, and `flask --app wsgi check` and the dashboard act on them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, jsonify
from redis.exceptions import RedisError
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from campaigns.heartbeats import STALE_AFTER, job_health
from campaigns.settings import Settings
from web.database import get_engine, get_session, get_settings
from workers.hit_buffer import MIN_REDIS_VERSION, backlog
from workers.queues import connect

bp = Blueprint("health", __name__)


def check_database(engine: Engine) -> str | None:
    """Return None if the database answers a query, else why not."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return f"database unreachable: {type(exc.orig or exc).__name__}"
    return None


def check_redis(settings: Settings) -> str | None:
    """Return None if Redis answers a ping, else why not."""
    try:
        connect(settings).ping()
    except (RedisError, OSError) as exc:
        return f"redis unreachable: {type(exc).__name__}"
    return None


def check_redis_version(settings: Settings) -> str | None:
    """Return None if Redis is new enough for the tracking buffer, else what it is."""
    try:
        version = str(connect(settings).info("server")["redis_version"])
    except (RedisError, OSError, KeyError) as exc:
        return f"redis version unknown: {type(exc).__name__}"
    found = tuple(int(part) for part in version.split(".")[:2] if part.isdigit())
    if found < MIN_REDIS_VERSION:
        wanted = ".".join(map(str, MIN_REDIS_VERSION))
        return f"redis {version} is too old: the tracking buffer needs Redis {wanted} or newer"
    return None


@dataclass
class BackgroundHealth:
    """The recurring jobs' ages and the tracking backlog, with what is wrong in words."""

    report: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def background_health(
    settings: Settings, session: Session, now: datetime, redis_up: bool = True
) -> BackgroundHealth:
    """Say how the planner, the tracking drain and the backlog are doing as of `now`."""
    health = BackgroundHealth()
    try:
        jobs = job_health(session, now)
    except SQLAlchemyError:
        jobs = []  # the database check names the cause
    for job in jobs:
        health.report[job.name] = {
            "last_success_age_s": None if job.age is None else round(job.age.total_seconds()),
            "last_error": job.error
            if job.failed_at and job.failed_at > (job.succeeded_at or now.min)
            else None,
            "status": "ok" if job.problem is None else "stale",
        }
        if job.problem:
            health.problems.append(job.problem)
    if not redis_up:
        return health  # the Redis check names the cause; asking again would only wait twice
    try:
        waiting = backlog(connect(settings), now)
    except (RedisError, OSError):
        return health
    age = waiting.oldest_age_s
    health.report["tracking_backlog"] = {
        "entries": waiting.entries,
        "oldest_age_s": None if age is None else round(age),
    }
    if age is not None and age > STALE_AFTER.total_seconds():
        health.problems.append(
            f"tracking hits have waited {round(age / 60)} minutes to be recorded "
            f"({waiting.entries} buffered batches): the backlog is not draining"
        )
    return health


@bp.get("/healthz")
def healthz():
    """Answer 200 when this process's database and Redis answer, 503 naming the parts that are down."""
    settings = get_settings()
    problems = {"database": check_database(get_engine()), "redis": check_redis(settings)}
    body: dict[str, Any] = {part: problem or "ok" for part, problem in problems.items()}
    down = [part for part, problem in problems.items() if problem]
    body["status"] = "ok" if not down else f"down: {', '.join(down)}"
    background = background_health(settings, get_session(), datetime.now(UTC), not problems["redis"])
    body["background"] = {**background.report, "problems": background.problems}
    return jsonify(body), 503 if down else 200
