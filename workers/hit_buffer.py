"""The buffer between the tracking endpoints and the database: a Redis stream drained in batches.

The endpoints answer at once after one XADD; a cron job drains the stream into events and
rollups. A batch is acknowledged only after its transaction commits, and entries a crashed
drainer left pending are claimed again, so nothing is lost while workers are down.

A Redis that restarts empty loses what was waiting. Each push reads an epoch token that lives as
long as the stream's data does; the web process keeps what it pushed until the drain has deleted
it, and pushes again, marked as resent, whatever an epoch change shows was lost. The drain leaves
out resent hits it recorded before (see `campaigns.tracking.unrecorded`).
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from redis import Redis
from redis.exceptions import ResponseError
from sqlalchemy.orm import Session, sessionmaker

from campaigns.db import session_scope
from campaigns.tracking import Hit, record_hits, unrecorded

STREAM = "nurture:hits"
EPOCH = "nurture:hits:epoch"
"""Never deleted: when its value changes, Redis has lost whatever the stream held."""
RESENT = b"r"
GROUP = "recorders"
BATCH = 50  # entries per read; each holds up to ENTRY_HITS hits
ENTRY_HITS = 500
MAX_LENGTH = 100_000  # entries: a bound on memory if nothing drains for a very long time
RECLAIM_IDLE_MS = 60_000
MIN_REDIS_VERSION = (6, 2)
"""XAUTOCLAIM, which reclaims what a crashed drainer left pending, arrived in Redis 6.2."""

Entry = tuple[bytes, dict[bytes, bytes]]


def encode(hit: Hit) -> str:
    """Return a hit as one tab-separated line."""
    agent = hit.user_agent.replace("\t", " ").replace("\n", " ")
    fields = (hit.kind, hit.send_id, hit.link_id or "", hit.at.isoformat(), agent, hit.ip or "", hit.method)
    return "\t".join(str(field) for field in fields)


@dataclass(frozen=True)
class Pushed:
    """One stream entry as its pusher remembers it: where it went, under which epoch, with what."""

    entry_id: bytes
    epoch: bytes
    hits: list[Hit]


def push(redis: Redis, hits: list[Hit], resent: bool = False) -> list[Pushed]:
    """Add hits to the stream, many to an entry, in one round trip; return the entries added."""
    chunks = [hits[start : start + ENTRY_HITS] for start in range(0, len(hits), ENTRY_HITS)]
    pipe = redis.pipeline(transaction=False)
    pipe.set(EPOCH, secrets.token_hex(8), nx=True)
    pipe.get(EPOCH)
    for chunk in chunks:
        fields = {"h": "\n".join(encode(hit) for hit in chunk)}
        if resent:
            fields[RESENT.decode()] = "1"
        pipe.xadd(STREAM, fields, maxlen=MAX_LENGTH, approximate=True)  # type: ignore[arg-type]
    _, epoch, *entry_ids = pipe.execute()
    return [Pushed(entry_id, epoch, chunk) for entry_id, chunk in zip(entry_ids, chunks, strict=True)]


def sort_out(redis: Redis, pushed: Sequence[Pushed]) -> tuple[list[Pushed], list[Pushed]]:
    """Split pushed entries into those still waiting and those Redis lost; the drained drop out.

    The drain deletes what it records, oldest first, so an entry older than the stream's oldest
    is recorded: one command answers for every entry, however many are kept.
    """
    pipe = redis.pipeline(transaction=False)
    pipe.get(EPOCH)
    pipe.xrange(STREAM, count=1)
    epoch, oldest = pipe.execute()
    first = _order(oldest[0][0]) if oldest else None
    waiting = [
        entry
        for entry in pushed
        if entry.epoch == epoch and first is not None and _order(entry.entry_id) >= first
    ]
    lost = [entry for entry in pushed if entry.epoch != epoch]
    return waiting, lost


def _order(entry_id: bytes) -> tuple[int, int]:
    """Return a stream id as numbers that sort as Redis orders them."""
    millis, _, sequence = entry_id.partition(b"-")
    return int(millis), int(sequence or 0)


def decode(fields: dict[bytes, bytes]) -> list[Hit]:
    """Return the hits of one stream entry; a damaged line is dropped rather than block the stream."""
    hits = []
    for line in fields.get(b"h", b"").decode(errors="replace").splitlines():
        try:
            kind, send, link, at, agent, ip, method = line.split("\t")
            hits.append(
                Hit(
                    kind,
                    int(send),
                    datetime.fromisoformat(at),
                    int(link) if link else None,
                    agent,
                    ip or None,
                    method,
                )
            )
        except ValueError:
            continue
    return hits


def claimed_entries(reply: Sequence[Any]) -> list[Entry]:
    """Return the entries an XAUTOCLAIM reply claimed, on every Redis from 6.2 on.

    Redis 6.2 (the embedded one) answers [next id, entries]; Redis 7 adds a third part, the ids
    of entries deleted meanwhile. An entry deleted while pending comes back without fields on 6.2.
    """
    return [(entry_id, fields) for entry_id, fields in reply[1] if fields is not None]


def drain(
    redis: Redis, sessions: sessionmaker[Session], fence: Callable[[Session], None] | None = None
) -> int:
    """Record every buffered hit, batch by batch; return how many were recorded.

    `fence` refuses a batch's transaction once this drainer no longer leads: its entries stay
    pending and the leader claims them again.
    """
    try:
        redis.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    except ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise
    consumer = f"{socket.gethostname()}-{os.getpid()}"
    recorded = 0
    while True:
        stale = claimed_entries(
            redis.xautoclaim(STREAM, GROUP, consumer, RECLAIM_IDLE_MS, "0-0", count=BATCH)
        )
        fresh = redis.xreadgroup(GROUP, consumer, {STREAM: ">"}, count=BATCH)
        entries = stale + [entry for _, batch in fresh for entry in batch]
        if not entries:
            return recorded
        hits = [hit for _, fields in entries if RESENT not in fields for hit in decode(fields)]
        resent = [hit for _, fields in entries if RESENT in fields for hit in decode(fields)]
        with session_scope(sessions) as session:
            if fence is not None:
                fence(session)
            recorded += record_hits(session, hits + unrecorded(session, resent))
        ids = [entry_id for entry_id, _ in entries]
        redis.xack(STREAM, GROUP, *ids)
        redis.xdel(STREAM, *ids)


@dataclass(frozen=True)
class Backlog:
    """What waits in the stream: how many entries, and how long the oldest has waited."""

    entries: int
    oldest_age_s: float | None


def backlog(redis: Redis, now: datetime | None = None) -> Backlog:
    """Return the stream's backlog; entries are deleted once recorded, so all that is left waits."""
    now = now or datetime.now(UTC)
    oldest = redis.xrange(STREAM, count=1)
    if not oldest:
        return Backlog(0, None)
    added_ms = int(oldest[0][0].split(b"-")[0])  # a stream id starts with the time it was added
    return Backlog(int(redis.xlen(STREAM)), max(0.0, now.timestamp() - added_ms / 1000))
