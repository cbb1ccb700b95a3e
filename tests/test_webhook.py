"""SendGrid's signed event webhook, with a key pair made here: good, bad, old, duplicate, retried."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import Event, Send, StatRollup, Subscriber, Suppression
from campaigns.statuses import SendStatus, SubscriberStatus, SuppressionReason
from tests.conftest import make_settings
from tests.factories import active_subscriber, seeded
from tests.test_tick import tick
from web import create_app

PRIVATE = ec.generate_private_key(ec.SECP256R1())
PUBLIC = base64.b64encode(
    PRIVATE.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
).decode()


@pytest.fixture
def settings(database_url: str, redis_url: str, redis, tmp_path: Path):
    return make_settings(
        tmp_path, DATABASE_URL=database_url, REDIS_URL=redis_url, SENDGRID_WEBHOOK_PUBLIC_KEY=PUBLIC
    )


@pytest.fixture
def sent(db: Session, settings) -> Send:
    active_subscriber(db, seeded(db, settings))
    tick(settings, 0)
    return db.scalars(select(Send)).one()


def post(client, events: list[dict], key=PRIVATE, age_s: int = 0, body: bytes | None = None):
    raw = body if body is not None else json.dumps(events).encode()
    stamp = str(int(time.time()) - age_s)
    signature = base64.b64encode(key.sign(stamp.encode() + raw, ec.ECDSA(hashes.SHA256()))).decode()
    headers = {
        "X-Twilio-Email-Event-Webhook-Signature": signature,
        "X-Twilio-Email-Event-Webhook-Timestamp": stamp,
        "Content-Type": "application/json",
    }
    return client.post("/webhooks/sendgrid", data=raw, headers=headers)


def event(send: Send, kind: str, event_id: str, **extra) -> dict:
    return {
        "event": kind,
        "email": "ada@example.com",
        "timestamp": int(time.time()),
        "sg_event_id": event_id,
        "send_id": str(send.id),
        "send_ref": f"send-{send.id}",
        **extra,
    }


def metric(db: Session, name: str) -> int:
    db.expire_all()
    return sum(r.count for r in db.scalars(select(StatRollup).where(StatRollup.metric == name)))


def test_a_signed_batch_is_accepted_and_processed_in_a_job(client, db, sent, run_jobs) -> None:
    response = post(client, [event(sent, "delivered", "e1")])
    assert response.status_code == 200 and response.json == {"received": 1}
    assert db.scalars(select(Event).where(Event.kind == "provider.delivered")).all() == []  # not yet
    run_jobs()
    assert metric(db, "delivered") == 1
    assert db.scalars(select(Send)).one().delivered_at is not None


@pytest.mark.parametrize("case", ["no signature", "other key", "tampered body", "too old", "from the future"])
def test_unsigned_badly_signed_and_stale_posts_get_403_and_store_nothing(
    client, db, sent, run_jobs, case
) -> None:
    events = [event(sent, "spamreport", "e2")]
    if case == "no signature":
        response = client.post("/webhooks/sendgrid", json=events)
    elif case == "other key":
        response = post(client, events, key=ec.generate_private_key(ec.SECP256R1()))
    elif case == "tampered body":
        raw = json.dumps(events).encode()
        stamp = str(int(time.time()))
        signature = base64.b64encode(PRIVATE.sign(stamp.encode() + raw, ec.ECDSA(hashes.SHA256()))).decode()
        response = client.post(
            "/webhooks/sendgrid",
            data=raw.replace(b"spamreport", b"delivered"),
            headers={
                "X-Twilio-Email-Event-Webhook-Signature": signature,
                "X-Twilio-Email-Event-Webhook-Timestamp": stamp,
            },
        )
    elif case == "too old":
        response = post(client, events, age_s=11 * 60)
    else:
        response = post(client, events, age_s=-11 * 60)
    assert response.status_code == 403
    run_jobs()
    assert db.scalars(select(Event).where(Event.kind.like("provider.%"))).all() == []
    assert db.scalars(select(Subscriber)).one().status == SubscriberStatus.ACTIVE


def test_replayed_and_retried_events_count_once(client, db, sent, run_jobs) -> None:
    first = event(sent, "delivered", "id-1")
    post(client, [first])
    post(client, [first])  # the same delivery, replayed
    post(client, [{**first, "sg_event_id": "id-2"}])  # SendGrid's retry with a new id
    run_jobs()
    assert len(db.scalars(select(Event).where(Event.kind == "provider.delivered")).all()) == 1
    assert metric(db, "delivered") == 1


def test_a_hard_bounce_suppresses_and_a_blocked_one_does_not(client, db, sent, run_jobs) -> None:
    post(client, [event(sent, "bounce", "b1", type="blocked", reason="mailbox full")])
    run_jobs()
    assert db.scalars(select(Suppression)).all() == []
    post(client, [event(sent, "bounce", "b2", type="bounce", reason="550 no such user")])
    run_jobs()
    assert db.scalars(select(Suppression)).one().reason == SuppressionReason.BOUNCED
    assert db.scalars(select(Subscriber)).one().status == SubscriberStatus.BOUNCED
    assert metric(db, "bounced") == 1


@pytest.mark.parametrize(
    ("kind", "reason", "status", "metric_name"),
    [
        ("spamreport", SuppressionReason.COMPLAINED, SubscriberStatus.COMPLAINED, "complained"),
        ("unsubscribe", SuppressionReason.UNSUBSCRIBED, SubscriberStatus.UNSUBSCRIBED, "unsubscribed"),
        ("group_unsubscribe", SuppressionReason.UNSUBSCRIBED, SubscriberStatus.UNSUBSCRIBED, "unsubscribed"),
    ],
)
def test_complaints_and_unsubscribes_suppress(client, db, sent, run_jobs, kind, reason, status, metric_name):
    post(client, [event(sent, kind, "s1")])
    run_jobs()
    assert db.scalars(select(Suppression)).one().reason == reason
    assert db.scalars(select(Subscriber)).one().status == status
    assert metric(db, metric_name) == 1


def test_machine_opens_are_honoured(client, db, sent, run_jobs) -> None:
    post(client, [event(sent, "open", "o1", sg_machine_open=True, useragent="Mozilla/5.0")])
    run_jobs()
    assert (metric(db, "opened"), metric(db, "opened_human")) == (1, 0)


def test_processed_settles_an_unknown_send(client, db, sent, run_jobs) -> None:
    sent.status = SendStatus.UNKNOWN
    db.commit()
    post(client, [event(sent, "processed", "p1")])
    run_jobs()
    db.expire_all()
    assert db.get_one(Send, sent.id).status == SendStatus.SENT


def test_a_dropped_unknown_send_is_failed(client, db, sent, run_jobs) -> None:
    sent.status = SendStatus.UNKNOWN
    db.commit()
    post(client, [event(sent, "dropped", "d1", reason="Bounced Address")])
    run_jobs()
    db.expire_all()
    assert db.get_one(Send, sent.id).status == SendStatus.FAILED


@pytest.mark.parametrize("body", [b"{not json", b'{"event": "delivered"}', b"[1, 2]"])
def test_signed_bodies_that_are_not_event_arrays_get_400(client, db, sent, body) -> None:
    assert post(client, [], body=body).status_code == 400


def test_without_a_configured_key_every_post_is_refused(database_url, redis_url, redis, tmp_path) -> None:
    client = create_app(make_settings(tmp_path, DATABASE_URL=database_url, REDIS_URL=redis_url)).test_client()
    assert client.post("/webhooks/sendgrid", json=[]).status_code == 403
