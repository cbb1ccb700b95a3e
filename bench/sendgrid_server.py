"""A local HTTP server that speaks SendGrid's v3 mail-send API, for tests and benchmarks.

It accepts `POST /v3/mail/send` like SendGrid (202 with an `X-Message-Id`), answers after a
set latency, and counts every accepted email by our send reference (`custom_args.send_ref`),
so that duplicates and losses can be counted at the provider. Tests can script answers
(errors, rate limits, a hang past the client's timeout, a dropped connection).

`python -m bench.sendgrid_server --port 8025 --latency-ms 100` runs it on its own;
`GET /_counts` then returns the counts as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
import uuid
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

MAX_BODY = 32 * 1024 * 1024  # SendGrid's own limit is 30 MB


@dataclass
class Reply:
    """A scripted answer: a status, headers and body; or `hang_s` / `drop` to misbehave."""

    status: int = 202
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    hang_s: float = 0.0  # accept the email, then answer only after this long
    drop: bool = False  # accept the email, then close the connection without answering


@dataclass
class FakeSendGrid:
    """The server's state: what it accepted, and what it will answer next."""

    latency_s: float = 0.0
    script: deque[Reply] = field(default_factory=deque)
    accepted: Counter[str] = field(default_factory=Counter)
    requests: list[dict[str, Any]] = field(default_factory=list)
    keep_requests: bool = True
    authorizations: set[str] = field(default_factory=set)

    def expect(self, *replies: Reply) -> None:
        """Answer the next requests with `replies`, in order, then 202 again."""
        self.script.extend(replies)

    async def mail_send(self, body: dict[str, Any], authorization: str) -> tuple[Reply, bool]:
        """Decide the answer to one mail-send request; return it and whether it was accepted."""
        self.authorizations.add(authorization)
        if self.keep_requests:
            self.requests.append(body)
        reply = self.script.popleft() if self.script else Reply()
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
        accepted = 200 <= reply.status < 300 or reply.hang_s > 0 or reply.drop
        if accepted:
            for part in body.get("personalizations", []):
                self.accepted[part.get("custom_args", {}).get("send_ref", "?")] += 1
        return reply, accepted


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str, dict[str, str], bytes] | None:
    line = await reader.readline()
    if not line:
        return None
    method, path, _ = line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while (header := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = header.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    length = min(int(headers.get("content-length", "0")), MAX_BODY)
    return method, path, headers, await reader.readexactly(length) if length else b""


def _response(status: int, headers: dict[str, str], body: bytes) -> bytes:
    lines = [f"HTTP/1.1 {status} X", f"Content-Length: {len(body)}", "Content-Type: application/json"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def make_handler(state: FakeSendGrid):
    """Return the connection handler for `state`."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while request := await _read_request(reader):
                method, path, headers, raw = request
                if method == "GET" and path.startswith("/_counts"):
                    writer.write(_response(200, {}, json.dumps(state.accepted).encode()))
                elif method == "POST" and path.startswith("/v3/mail/send"):
                    reply, _ = await state.mail_send(
                        json.loads(raw or b"{}"), headers.get("authorization", "")
                    )
                    if reply.drop:
                        break
                    if reply.hang_s:
                        await asyncio.sleep(reply.hang_s)
                    extra = {"X-Message-Id": uuid.uuid4().hex[:22]} if reply.status == 202 else {}
                    body = b"" if reply.body is None else json.dumps(reply.body).encode()
                    writer.write(_response(reply.status, {**extra, **reply.headers}, body))
                else:
                    writer.write(_response(404, {}, b'{"errors": [{"message": "not found"}]}'))
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.close()

    return handle


class RunningServer:
    """The fake server running in a background thread with its own event loop."""

    def __init__(self, state: FakeSendGrid, port: int = 0) -> None:
        self.state = state
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        self.port = port

        async def start() -> None:
            self.server = await asyncio.start_server(make_handler(state), "127.0.0.1", port, backlog=1024)
            self.port = self.server.sockets[0].getsockname()[1]
            ready.set()

        self.thread = threading.Thread(target=self._run, args=(start,), daemon=True)
        self.thread.start()
        ready.wait(10)

    def _run(self, start) -> None:  # type: ignore[no-untyped-def]
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(start())
        self.loop.run_forever()

    @property
    def url(self) -> str:
        """Return the base URL to give the `sendgrid` client as its host."""
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        """Stop serving: close the listener, end open connections, stop the loop."""

        async def shutdown() -> None:
            self.server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


def main() -> None:
    """Run the fake server in the foreground."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--latency-ms", type=float, default=100)
    args = parser.parse_args()
    state = FakeSendGrid(latency_s=args.latency_ms / 1000, keep_requests=False)

    async def serve() -> None:
        server = await asyncio.start_server(make_handler(state), "127.0.0.1", args.port, backlog=4096)
        print(f"fake SendGrid v3 on http://127.0.0.1:{args.port}", flush=True)
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
