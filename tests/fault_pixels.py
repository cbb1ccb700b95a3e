"""Open pixels fetched from a real web process during a fault, counted as a reader's mail app would."""

from __future__ import annotations

import threading
import time
import urllib.request

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from campaigns.models import Event, Send
from campaigns.statuses import SendStatus
from campaigns.tokens import sign
from tests.conftest import SECRET_KEY


class Pixels:
    """A thread that keeps opening sent emails' pixels and counts the opens the web app answered."""

    def __init__(self, engine: Engine, port: int) -> None:
        self.engine, self.port = engine, port
        self.answered = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="pixels", daemon=True)
        self.thread.start()

    def _sent(self) -> list[int]:
        try:
            with Session(self.engine) as session:
                query = select(Send.id).where(Send.status == SendStatus.SENT).limit(500)
                return list(session.scalars(query))
        except Exception:
            return []

    def _run(self) -> None:
        sent: list[int] = []
        while not self.stopping.is_set():
            if self.answered % 200 == 0:
                sent = self._sent() or sent
            if not sent:
                time.sleep(0.1)
                continue
            token = sign(SECRET_KEY, "open", [sent[self.answered % len(sent)]])
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/t/o/{token}", timeout=5) as reply:
                    self.answered += reply.status == 200
            except OSError:
                time.sleep(0.05)  # not answered: the reader's app would show no image, nothing to record
            time.sleep(0.005)

    def stop(self) -> int:
        """Stop opening; return how many opens were answered."""
        self.stopping.set()
        self.thread.join()
        return self.answered


def recorded_opens(engine: Engine) -> int:
    """Count the open events recorded (0 while the database is away)."""
    try:
        with Session(engine) as session:
            return session.scalar(select(func.count(Event.id)).where(Event.kind == "open")) or 0
    except Exception:
        return 0
