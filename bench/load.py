"""An open-loop HTTP load generator: requests at fixed rates, one connection each.

Request n of a load is due at `n / rate` seconds after the start whatever happened to the others,
and its latency counts from that moment, so a slow server shows up as latency rather than as a
lower rate (no coordinated omission). Each request opens its own connection, as gunicorn's sync
workers close theirs after every answer. It speaks just enough HTTP/1.1 for the benchmarks, on
uvloop, so that the load it makes takes as little as it can of the cores it shares with the server.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import uvloop

MAX_CONNECTIONS = 64
"""Requests in flight per load; one beyond that waits for a free slot (its wait counts as latency)."""


@dataclass(frozen=True)
class Load:
    """One stream of requests: a name, a rate, how to build request n, and the status that means success."""

    name: str
    rate: float
    method: str
    path: Callable[[int], str]
    body: Callable[[int], bytes] | None
    expect: int


@dataclass
class Result:
    """What one load measured."""

    latencies_ms: list[float] = field(default_factory=list)
    ok: int = 0
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    def p95_ms(self) -> float:
        """Return the 95th percentile latency, in milliseconds."""
        ordered = sorted(self.latencies_ms)
        return round(ordered[int(len(ordered) * 0.95)], 1) if ordered else 0.0

    def summary(self) -> str:
        """Describe the load's outcome in one line."""
        ordered = sorted(self.latencies_ms) or [0.0]
        median = ordered[len(ordered) // 2]
        latency = f"median {median:.1f} ms, p95 {self.p95_ms()} ms"
        return f"{self.ok} ok, {self.errors} errors, {latency}, statuses {self.statuses}"


class _Exchange(asyncio.Protocol):
    """One request on a connection of its own: write it, collect the answer, close."""

    def __init__(self, raw: bytes, answered: asyncio.Future[int]) -> None:
        self.raw, self.answered, self.received = raw, answered, bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        transport.write(self.raw)  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        self.received += data
        if self.answered.done():
            return
        try:
            status = _status_if_complete(self.received)
        except (ValueError, IndexError) as exc:  # not an HTTP answer
            self.answered.set_exception(exc)
            return
        if status is not None:
            self.answered.set_result(status)
            self.transport.close()  # at once: gunicorn lingers until the client closes

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.answered.done():
            self.answered.set_exception(ConnectionError("the server closed the connection"))


def _status_if_complete(received: bytearray) -> int | None:
    """Return the answer's status once its head and its Content-Length of body have arrived."""
    end = received.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = bytes(received[:end]).lower()
    length = 0
    if (at := head.find(b"\r\ncontent-length:")) >= 0:
        length = int(head[at + 17 :].split(b"\r\n", 1)[0])
    if len(received) < end + 4 + length:
        return None
    return int(head.split(b" ", 2)[1])


def _raw(host: str, load: Load, n: int, forwarded: bool) -> bytes:
    body = load.body(n) if load.body else b""
    lines = [
        f"{load.method} {load.path(n)} HTTP/1.1",
        f"Host: {host}",
        "User-Agent: bench",
        "Connection: close",
    ]
    if forwarded:  # a distinct visitor behind the load balancer each time
        lines.append(
            f"X-Forwarded-For: 10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(256)}"
        )
    if body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _run_one(
    host: str, port: int, load: Load, result: Result, stop: asyncio.Event, forwarded: bool
) -> None:
    slots = asyncio.Semaphore(MAX_CONNECTIONS)
    loop = asyncio.get_running_loop()
    tasks: set[asyncio.Task[None]] = set()

    async def one(n: int, due: float) -> None:
        async with slots:
            answered: asyncio.Future[int] = loop.create_future()
            raw = _raw(host, load, n, forwarded)
            try:
                transport, _ = await loop.create_connection(lambda: _Exchange(raw, answered), host, port)
            except OSError:
                result.errors += 1
                return
            try:
                status = await answered
            except (OSError, ValueError, IndexError):  # ConnectionError is an OSError
                result.errors += 1
                return
            finally:
                transport.close()
        result.latencies_ms.append((time.perf_counter() - due) * 1000)
        result.statuses[status] = result.statuses.get(status, 0) + 1
        if status == load.expect:
            result.ok += 1
        else:
            result.errors += 1

    start, n = time.perf_counter(), 0
    while not stop.is_set():
        due = start + n / load.rate
        # Always yield, even when late, so the requests in flight (and the stop check) get to run.
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        task = asyncio.create_task(one(n, due))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        n += 1
    await asyncio.gather(*tasks)


async def _run(
    host: str, port: int, loads: list[Load], until: Callable[[], bool], forwarded: bool
) -> dict[str, Result]:
    results = {load.name: Result() for load in loads}
    stop = asyncio.Event()
    runners = [
        asyncio.create_task(_run_one(host, port, load, results[load.name], stop, forwarded)) for load in loads
    ]
    while not await asyncio.to_thread(until):
        await asyncio.sleep(0.5)
    stop.set()
    await asyncio.gather(*runners)
    return results


def run_load(
    host: str, port: int, loads: list[Load], until: Callable[[], bool], forwarded: bool = False
) -> dict[str, Result]:
    """Run every load at once until `until()` says to stop; return what each measured."""
    # uvloop: the generator shares the benchmark's cores, and costs 40% less per request on it.
    return uvloop.run(_run(host, port, loads, until, forwarded))
