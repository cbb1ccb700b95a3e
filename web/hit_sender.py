"""Move tracking hits from a web process to the Redis stream in small batches, off the request path.

A request only appends to an in-memory queue; a background thread pipelines the queue into the
stream every FLUSH_INTERVAL_S, and flushes what is left when the process exits. If Redis is down,
the batch is recorded straight into the database instead, so a hit is never dropped for that.

What was pushed is kept until the drain has recorded it: every CONFIRM_INTERVAL_S the thread
forgets the entries the drain deleted and pushes again those a Redis that restarted empty lost
(see workers.hit_buffer). At most KEPT_HITS are kept, the newest, should the drain stall.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import weakref
from collections import deque

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy.orm import Session, sessionmaker

from campaigns.db import session_scope
from campaigns.tracking import Hit, record_hits
from workers.hit_buffer import Pushed, push, sort_out

FLUSH_INTERVAL_S = 0.05
CONFIRM_INTERVAL_S = 1.0
KEPT_HITS = 100_000
log = logging.getLogger(__name__)


_senders: weakref.WeakSet[HitSender] = weakref.WeakSet()


def close_all() -> None:
    """Close every sender in this process, dropping what is queued: tests empty Redis after it."""
    for sender in list(_senders):
        sender.queue.clear()
        sender.close()


class HitSender:
    """A per-process queue of hits and the thread that sends them on."""

    def __init__(self, redis: Redis, sessions: sessionmaker[Session]) -> None:
        self.redis, self.sessions = redis, sessions
        self.queue: deque[Hit] = deque()
        self.lock = threading.Lock()
        self.pid: int | None = None
        self.wake = threading.Event()
        self.flushing = threading.Lock()  # a flush waits for one in progress, so "sent" means sent
        self.pushed: deque[Pushed] = deque()
        self.pushed_hits = 0
        self.confirmed_at = time.monotonic()
        self.generation = 0  # each start of the thread; a closed sender's thread ends
        _senders.add(self)

    def add(self, hit: Hit) -> None:
        """Queue a hit; start the sender thread in this process if it is not running yet."""
        self.queue.append(hit)
        if self.pid != os.getpid():  # first hit in this (possibly forked, or closed) process
            with self.lock:
                if self.pid != os.getpid():
                    self.pid = os.getpid()
                    self.generation += 1
                    threading.Thread(target=self._run, args=(self.generation,), daemon=True).start()
                    atexit.register(self.flush)

    def _run(self, generation: int) -> None:
        while self.generation == generation:
            self.wake.wait(FLUSH_INTERVAL_S)
            self.flush()
            if time.monotonic() - self.confirmed_at >= CONFIRM_INTERVAL_S:
                self.confirm()

    def close(self) -> None:
        """Send what is queued and stop the thread; what was pushed is no longer watched.

        A hit added afterwards starts the thread again.
        """
        with self.lock:
            self.pid = None
            self.generation += 1
        self.flush()
        with self.flushing:
            self.pushed.clear()
            self.pushed_hits = 0

    def flush(self) -> int:
        """Send every queued hit now, after any flush already under way; return how many."""
        with self.flushing:
            batch = []
            while self.queue:
                batch.append(self.queue.popleft())
            if not batch:
                return 0
            try:
                self._keep(push(self.redis, batch))
            except (RedisError, OSError):
                log.warning("tracking buffer unavailable; recording %d hits directly", len(batch))
                with session_scope(self.sessions) as session:
                    record_hits(session, batch)
            return len(batch)

    def confirm(self) -> int:
        """Forget what the drain recorded and push again what Redis lost; return the hits pushed again."""
        with self.flushing:
            self.confirmed_at = time.monotonic()
            if not self.pushed:
                return 0
            try:
                waiting, lost = sort_out(self.redis, self.pushed)
                hits = [hit for entry in lost for hit in entry.hits]
                resent = push(self.redis, hits, resent=True) if hits else []
            except (RedisError, OSError):
                return 0  # Redis is away: keep everything and look again next time
            if hits:
                log.warning("Redis lost %d tracking hits it held; they were pushed again", len(hits))
            self.pushed.clear()
            self.pushed_hits = 0
            self._keep(waiting + resent)
            return len(hits)

    def _keep(self, entries: list[Pushed]) -> None:
        """Remember pushed entries until the drain records them, the newest KEPT_HITS at most."""
        self.pushed.extend(entries)
        self.pushed_hits += sum(len(entry.hits) for entry in entries)
        while self.pushed_hits > KEPT_HITS and len(self.pushed) > 1:
            self.pushed_hits -= len(self.pushed.popleft().hits)
