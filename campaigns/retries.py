"""When to try a send again after a passing failure: exponential backoff with full jitter."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

MAX_ATTEMPTS = 8
"""After this many passing failures a send is marked failed."""

BASE_DELAY_S = 30
MAX_DELAY_S = 60 * 60


def retry_at(attempt: int, now: datetime, asked_s: float | None = None) -> datetime:
    """Return when attempt number `attempt` + 1 may run; the provider's own wait wins if longer."""
    ceiling = min(MAX_DELAY_S, BASE_DELAY_S * 2 ** max(0, attempt - 1))
    delay = random.uniform(ceiling / 2, ceiling)  # jitter spreads a burst of retries out
    if asked_s is not None:
        delay = max(delay, min(asked_s, MAX_DELAY_S))
    return now + timedelta(seconds=delay)
