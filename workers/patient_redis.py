"""A Redis client that waits out a Redis restart instead of failing: for `rq worker` and `rq cron`.

`rq cron` stops at the first connection error, so a Redis restart would leave no cron running
until a person noticed. Given `--connection-class workers.patient_redis.PatientRedis`, each
command is retried with backoff (up to 5 s apart) until Redis answers again.
"""

from __future__ import annotations

from typing import Any

from redis import Redis
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError, TimeoutError
from redis.retry import Retry

FOREVER = -1


def patient(options: dict[str, Any]) -> dict[str, Any]:
    """Return connection options that retry forever, with backoff, while Redis is away."""
    options.setdefault("retry", Retry(ExponentialBackoff(cap=5, base=0.2), FOREVER))
    options.setdefault("retry_on_error", [ConnectionError, TimeoutError, OSError])
    options.setdefault("socket_connect_timeout", 2)
    return options


class PatientRedis(Redis):
    """A client whose commands retry for as long as Redis is away."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **(kwargs if "connection_pool" in kwargs else patient(kwargs)))

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> PatientRedis:  # type: ignore[override]
        """Connect to the Redis at `url`, patiently."""
        return super().from_url(url, **patient(kwargs))
