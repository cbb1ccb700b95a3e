"""`GET /healthz`: whether the database and Redis answer, for load balancers and `check`."""

from __future__ import annotations

from flask import Blueprint, jsonify
from redis.exceptions import RedisError
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from campaigns.settings import Settings
from web.database import get_engine, get_settings
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


@bp.get("/healthz")
def healthz():
    """Answer 200 when every part is up, 503 naming the parts that are down."""
    problems = {
        "database": check_database(get_engine()),
        "redis": check_redis(get_settings()),
    }
    body = {part: problem or "ok" for part, problem in problems.items()}
    down = [part for part, problem in problems.items() if problem]
    body["status"] = "ok" if not down else f"down: {', '.join(down)}"
    return jsonify(body), 503 if down else 200
