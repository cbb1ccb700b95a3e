"""Hand work to the RQ workers from a request, without ever failing the request over it."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError

from web.app_state import shared
from web.database import get_settings
from workers.queues import connect, enqueue

log = logging.getLogger(__name__)


def get_redis() -> Redis:
    """Return the app's Redis client, connecting on first use."""
    return shared(current_app.extensions["nurture"], "redis", lambda: connect(get_settings()))


def enqueue_soon(job: str, *args: Any) -> bool:
    """Enqueue a job by dotted name; if Redis is down, log it and let the planner's sweep catch up."""
    try:
        enqueue(get_redis(), job, *args)
    except (RedisError, OSError):
        log.warning("could not enqueue %s%r; the planner's sweep will pick it up", job, args, exc_info=True)
        return False
    return True
