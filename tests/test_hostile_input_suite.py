"""Every public field, JSON key and token position, fed a corpus of over 500 hostile strings.

The corpus is the Big List of Naughty Strings (`tests/data/blns.json`, MIT, from the `blns`
2.0.4 package; its licence is beside it) plus the project's own probes (`hostile_extra.json`):
NUL bytes, line breaks, Markdown and HTML links, template syntax, huge numbers, deep nesting,
international addresses, bidi and zero-width characters. Nothing may answer 5xx, no job may
fail, and nothing may be stored half-way.
"""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from rq import Queue
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.models import ConsentRecord, Conversion, SignupAttempt, Subscriber
from tests.conftest import make_settings
from tests.factories import active_subscriber, seeded
from tests.test_consultation import make_token
from tests.test_webhook import PRIVATE, PUBLIC
from web import create_app
from workers.queues import QUEUES

DATA = Path(__file__).parent / "data"
CORPUS = list(
    dict.fromkeys(
        json.loads((DATA / "blns.json").read_text(encoding="utf-8"))
        + json.loads((DATA / "hostile_extra.json").read_text(encoding="utf-8"))
    )
)


@pytest.fixture
def hostile_client(settings, worker_env, tmp_path):
    """A client of an app with the signed webhook configured, as a public deployment has it."""
    configured = make_settings(
        tmp_path,
        DATABASE_URL=settings.database_url,
        REDIS_URL=settings.redis_url or "",
        SENDGRID_WEBHOOK_PUBLIC_KEY=PUBLIC,
        OUTBOX_DIR=str(settings.outbox_dir),
    )
    app = create_app(configured)
    yield app
    app.extensions["nurture"]["engine"].dispose()


class Prober:
    """Sends one hostile string into every position; remembers any 5xx."""

    def __init__(self, client, api_token: str, csrf: str) -> None:
        self.client, self.api_token, self.csrf = client, api_token, csrf
        self.failures: list[str] = []
        self.requests = 0

    def check(self, what: str, response) -> None:
        self.requests += 1
        if response.status_code >= 500:
            self.failures.append(f"{what}: {response.status_code}")

    def probe(self, n: int, text: str) -> None:
        """Send `text` everywhere a stranger can put it."""
        ip = {"REMOTE_ADDR": f"10.{n // 250}.{n % 250}.1"}  # the per-IP limit has its own tests
        post, get = self.client.post, self.client.get
        hostile = {"first_name": text, "timezone": text, "page": text, "embed": text, text: text}
        form = {"email": f"form{n}@example.com", "consent": "yes", **hostile}
        self.check("form fields", post("/subscribe", data=form, environ_overrides=ip))
        self.check("form email", post("/subscribe", data={**form, "email": text}, environ_overrides=ip))
        body = {"email": f"json{n}@example.com", "consent": True, "first_name": text, "source": text}
        self.check("json fields", post("/subscribe", json=body, environ_overrides=ip))
        everything = {"email": text, "first_name": text, "timezone": text, "consent": text, text: text}
        self.check("json keys", post("/subscribe", json=everything, environ_overrides=ip))
        segment = quote(text, safe="")
        for path in (f"/confirm/{segment}", f"/unsubscribe/{segment}", f"/t/o/{segment}", f"/t/c/{segment}"):
            self.check(f"GET {path[:12]}", get(path))
        self.check("confirm", post(f"/confirm/{segment}", environ_overrides=ip))
        self.check("new link", post(f"/confirm/{segment}/new-link", environ_overrides=ip))
        self.check("one-click", post(f"/unsubscribe/{segment}", data={"List-Unsubscribe": "One-Click"}))
        self.check("consultation s=", get("/consultation", query_string={"s": text, text: text}))
        booking = {"name": text, "email": f"book{n}@example.com", "phone": text, "time": text}
        booking |= {"message": text, "consent": "yes", "s": text}
        self.check("consultation", post("/consultation", data=booking, environ_overrides=ip))
        valid = {"name": "Ada", "email": f"ok{n}@example.com", "time": "any", "message": text[:2000]}
        self.check("consultation valid", post("/consultation", data={**valid, "consent": "yes"}))
        self.api(n, text)
        self.check("login page", get("/admin/login", query_string={"next": text}))
        if n % 10 == 0 or not text.isprintable():  # each sign-in costs a deliberate 0.3 s of scrypt
            login = {"email": text, "password": text, "csrf_token": self.csrf, "next": text}
            self.check("login", post("/admin/login", data=login, environ_overrides=ip))

    def api(self, n: int, text: str) -> None:
        """Post conversions with `text` in each field, as a key, and as the bearer token."""
        auth = {"Authorization": f"Bearer {self.api_token}"}
        body = {"email": f"api{n}@example.com", "name": text, "phone": text, "preferred_time": text}
        self.check("api fields", self.client.post("/api/v1/conversions", json=body, headers=auth))
        body = {"email": f"msg{n}@example.com", "message": text, text: text}
        self.check("api key", self.client.post("/api/v1/conversions", json=body, headers=auth))
        if text.isascii() and text.isprintable():  # what a header can carry at all
            wrong = {"Authorization": f"Bearer {text}"}
            self.check("api token", self.client.post("/api/v1/conversions", json={}, headers=wrong))

    def webhook(self, texts: list[str]) -> None:
        """Post one signed batch of events made of `texts` in every field and key."""
        events = []
        for text in texts:
            events.append({"event": text, "email": text, "send_id": text, "sg_event_id": text, text: text})
            events.append(
                {"event": "delivered", "send_id": text, "timestamp": text, "sg_event_id": f"x{text}"}
            )
        raw = json.dumps(events).encode()
        stamp = str(int(time.time()))
        signature = base64.b64encode(PRIVATE.sign(stamp.encode() + raw, ec.ECDSA(hashes.SHA256()))).decode()
        headers = {
            "X-Twilio-Email-Event-Webhook-Signature": signature,
            "X-Twilio-Email-Event-Webhook-Timestamp": stamp,
            "Content-Type": "application/json",
        }
        self.check("webhook", self.client.post("/webhooks/sendgrid", data=raw, headers=headers))


def run_queued_jobs(redis) -> list[str]:
    """Run every queued job's function here, as a worker would; return what failed, and why."""
    failures = []
    for name in QUEUES:
        queue = Queue(name, connection=redis)
        for job in queue.jobs:
            try:
                job.func(*job.args, **job.kwargs)
            except Exception as exc:
                failures.append(f"{job.func_name}{job.args!r:.200}: {type(exc).__name__}: {exc}")
        queue.empty()
    return failures


def test_hostile_strings_in_every_position_never_answer_5xx_or_half_store(
    hostile_client, db: Session, settings, runner, worker_env, redis
) -> None:
    assert len(CORPUS) >= 500
    active_subscriber(db, seeded(db, settings))
    client = hostile_client.test_client()
    page = client.get("/admin/login").text
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    prober = Prober(client, make_token(runner, "write"), csrf)
    started = time.monotonic()
    for n, text in enumerate(CORPUS):
        prober.probe(n, text)
    for first in range(0, len(CORPUS), 25):
        prober.webhook(CORPUS[first : first + 25])
    sent_at = time.monotonic()
    assert prober.failures == []
    # Every signup decided, every confirmation and consultation email rendered and sent.
    assert run_queued_jobs(redis) == []
    db.expire_all()
    assert db.scalar(select(func.count(SignupAttempt.id))) == 0
    without_consent = select(Subscriber.email).where(~Subscriber.consents.any())
    assert db.scalars(without_consent).all() == ["ada@example.com"]  # only the one made by hand
    assert db.scalar(select(func.count(ConsentRecord.id))) >= len(CORPUS) // 2  # many strings were fine names
    assert all(c.email for c in db.scalars(select(Conversion)))
    print(
        f"hostile suite: {len(CORPUS)} strings, {prober.requests} requests in {sent_at - started:.1f} s, "
        f"jobs in {time.monotonic() - sent_at:.1f} s"
    )
