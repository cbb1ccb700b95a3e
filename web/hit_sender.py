"""Move tracking hits from a web process to the Redis stream in small batches, off the request path.

A request only appends to an in-memory queue; a background thread pipelines the queue into the
stream every FLUSH_INTERVAL_S, and flushes what is left when the process exits. If Redis is down,
the batch is recorded straight into the database instead, so a hit is never dropped for that.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections import deque

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy.orm import Session, sessionmaker

from campaigns.db import session_scope
from campaigns.tracking import Hit, record_hits
from workers.hit_buffer import push

FLUSH_INTERVAL_S = 0.05
log = logging.getLogger(__name__)


class HitSender:
    """A per-process queue of hits and the thread that sends them on."""

    def __init__(self, redis: Redis, sessions: sessionmaker[Session]) -> None:
        self.redis, self.sessions = redis, sessions
        self.queue: deque[Hit] = deque()
        self.lock = threading.Lock()
        self.pid: int | None = None
        self.wake = threading.Event()
        self.flushing = threading.Lock()  # a flush waits for one in progress, so "sent" means sent

    def add(self, hit: Hit) -> None:
        """Queue a hit; start the sender thread in this process if it is not running yet."""
        self.queue.append(hit)
        if self.pid != os.getpid():  # first hit in this (possibly forked) process
            with self.lock:
                if self.pid != os.getpid():
                    self.pid = os.getpid()
                    threading.Thread(target=self._run, name="hit-sender", daemon=True).start()
                    atexit.register(self.flush)

    def _run(self) -> None:
        while True:
            self.wake.wait(FLUSH_INTERVAL_S)
            self.flush()

    def flush(self) -> int:
        """Send every queued hit now, after any flush already under way; return how many."""
        with self.flushing:
            batch = []
            while self.queue:
                batch.append(self.queue.popleft())
            if not batch:
                return 0
            try:
                push(self.redis, batch)
            except (RedisError, OSError):
                log.warning("tracking buffer unavailable; recording %d hits directly", len(batch))
                with session_scope(self.sessions) as session:
                    record_hits(session, batch)
            return len(batch)
