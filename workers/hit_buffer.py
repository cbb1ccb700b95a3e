"""The buffer between the tracking endpoints and the database: a Redis stream drained in batches.

The endpoints answer at once after one XADD; a cron job drains the stream into events and
rollups. A batch is acknowledged only after its transaction commits, and entries a crashed
drainer left pending are claimed again, so nothing is lost while workers are down.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime

from redis import Redis
from redis.exceptions import ResponseError
from sqlalchemy.orm import Session, sessionmaker

from campaigns.db import session_scope
from campaigns.tracking import Hit, record_hits

STREAM = "nurture:hits"
GROUP = "recorders"
BATCH = 2000
MAX_LENGTH = 5_000_000  # a bound on memory if nothing drains for a very long time
RECLAIM_IDLE_MS = 60_000


def push(redis: Redis, hit: Hit) -> None:
    """Add one hit to the stream."""
    fields = {
        "kind": hit.kind,
        "send": hit.send_id,
        "link": hit.link_id or "",
        "at": hit.at.isoformat(),
        "ua": hit.user_agent,
        "ip": hit.ip or "",
        "method": hit.method,
    }
    redis.xadd(STREAM, fields, maxlen=MAX_LENGTH, approximate=True)  # type: ignore[arg-type]


def _hit(fields: dict[bytes, bytes]) -> Hit | None:
    try:
        return Hit(
            kind=fields[b"kind"].decode(),
            send_id=int(fields[b"send"]),
            link_id=int(fields[b"link"]) if fields.get(b"link") else None,
            at=datetime.fromisoformat(fields[b"at"].decode()),
            user_agent=fields.get(b"ua", b"").decode(errors="replace"),
            ip=fields.get(b"ip", b"").decode() or None,
            method=fields.get(b"method", b"GET").decode(),
        )
    except (KeyError, ValueError):
        return None  # not ours, or damaged: dropped rather than blocking the stream


def drain(redis: Redis, sessions: sessionmaker[Session]) -> int:
    """Record every buffered hit, batch by batch; return how many were recorded."""
    try:
        redis.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    except ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise
    consumer = f"{socket.gethostname()}-{os.getpid()}"
    recorded = 0
    while True:
        _, stale, _ = redis.xautoclaim(STREAM, GROUP, consumer, RECLAIM_IDLE_MS, "0-0", count=BATCH)
        fresh = redis.xreadgroup(GROUP, consumer, {STREAM: ">"}, count=BATCH)
        entries = list(stale) + [entry for _, batch in fresh for entry in batch]
        if not entries:
            return recorded
        hits = [hit for _, fields in entries if (hit := _hit(fields)) is not None]
        with session_scope(sessions) as session:
            recorded += record_hits(session, hits)
        ids = [entry_id for entry_id, _ in entries]
        redis.xack(STREAM, GROUP, *ids)
        redis.xdel(STREAM, *ids)
