"""Webhooks out: a real receiver checks each signature, sees retries after a 500, nothing once removed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from rq import Queue, SimpleWorker
from sqlalchemy import select, update
from standardwebhooks.webhooks import Webhook

from campaigns.models import WebhookDelivery
from campaigns.statuses import DeliveryStatus
from campaigns.webhooks.delivery import Answer, attempt
from tests.api_helpers import bearer, make_token
from tests.factories import active_subscriber, seeded
from tests.webhook_receiver import webhook_receiver
from workers.queues import QUEUES, WEBHOOK_QUEUE


def deliver_due(redis, db) -> None:
    """Run the cron's dispatch and the webhook worker, as rq cron and `rq worker webhooks` would."""
    from workers.jobs import dispatch_webhooks

    dispatch_webhooks()
    SimpleWorker([Queue(WEBHOOK_QUEUE, connection=redis)], connection=redis).work(burst=True)
    db.expire_all()


def later(db) -> None:
    """Let the wait before the next retry pass."""
    db.execute(update(WebhookDelivery).values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1)))
    db.commit()


def test_a_receiver_verifies_signatures_sees_a_retry_and_nothing_after_removal(
    client, db, settings, runner, worker_env, redis
) -> None:
    subscriber, _ = active_subscriber(db, seeded(db, settings))
    token = make_token(runner, "write", "crm")
    with webhook_receiver() as receiver:
        made = client.post(
            "/api/v1/webhooks",
            json={"url": receiver.url, "events": ["conversion.created", "subscriber.unsubscribed"]},
            headers=bearer(token),
        )
        assert made.status_code == 201 and made.json["secret"].startswith("whsec_")
        secret = made.json["secret"]
        assert "secret" not in str(client.get("/api/v1/webhooks", headers=bearer(token)).json)

        receiver.answers = [500]
        client.post("/api/v1/conversions", json={"email": "ada@example.com"}, headers=bearer(token))
        deliver_due(redis, db)
        delivery = db.scalars(select(WebhookDelivery)).one()
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
            DeliveryStatus.PENDING,
            1,
            500,
        )
        assert delivery.next_attempt_at > datetime.now(UTC)  # backing off, not hammering

        later(db)
        deliver_due(redis, db)
        assert len(receiver.calls) == 2
        for headers, body in receiver.calls:
            event = Webhook(secret).verify(body, headers)  # raises unless the signature is right
            assert event["type"] == "conversion.created"
            assert set(event["data"]) == {"conversion_id", "subscriber_id", "email", "sequence_id"}
        assert receiver.calls[0][0]["webhook-id"] == receiver.calls[1][0]["webhook-id"]
        delivery = db.scalars(select(WebhookDelivery)).one()
        assert (delivery.status, delivery.attempts, delivery.last_answer) == (
            DeliveryStatus.DELIVERED,
            2,
            "thanks",
        )

        forged = dict(receiver.calls[0][0], **{"webhook-signature": "v1,AAAA"})
        try:
            Webhook(secret).verify(receiver.calls[0][1], forged)
            raise AssertionError("a forged signature verified")
        except Exception as exc:
            assert "signature" in str(exc).lower()

        endpoint_id = made.json["id"]
        assert client.delete(f"/api/v1/webhooks/{endpoint_id}", headers=bearer(token)).status_code == 204
        client.post(f"/api/v1/subscribers/{subscriber.id}/unsubscribe", headers=bearer(token))
        later(db)
        deliver_due(redis, db)
        assert len(receiver.calls) == 2


def test_a_pending_retry_stops_when_its_endpoint_is_removed(
    client, db, settings, runner, worker_env, redis
) -> None:
    seeded(db, settings)
    token = make_token(runner, "write")
    with webhook_receiver() as receiver:
        endpoint_id = client.post(
            "/api/v1/webhooks",
            json={"url": receiver.url, "events": ["conversion.created"]},
            headers=bearer(token),
        ).json["id"]
        receiver.answers = [503]
        client.post("/api/v1/conversions", json={"email": "x@example.com"}, headers=bearer(token))
        deliver_due(redis, db)
        client.delete(f"/api/v1/webhooks/{endpoint_id}", headers=bearer(token))
        later(db)
        deliver_due(redis, db)
        assert len(receiver.calls) == 1
        assert db.scalars(select(WebhookDelivery.status)).one() == DeliveryStatus.FAILED


def test_retries_back_off_exponentially_and_stop_after_24_hours(client, db, settings, runner) -> None:
    seeded(db, settings)
    token = make_token(runner, "write")
    client.post(
        "/api/v1/webhooks",
        json={"url": "http://127.0.0.1:9/x", "events": ["conversion.created"]},
        headers=bearer(token),
    )
    client.post("/api/v1/conversions", json={"email": "x@example.com"}, headers=bearer(token))
    delivery = db.scalars(select(WebhookDelivery)).one()
    now, waits = delivery.created_at, []
    while (
        attempt(db, delivery.id, lambda url, body, headers: Answer(500, "down"), now)
        == DeliveryStatus.PENDING
    ):
        waits.append(delivery.next_attempt_at - now)
        now = delivery.next_attempt_at
    assert waits[:4] == [
        timedelta(seconds=30),
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
    ]
    assert timedelta(hours=16) < now - delivery.created_at <= timedelta(hours=24)
    assert delivery.status == DeliveryStatus.FAILED


def test_bad_endpoints_are_refused_and_webhooks_have_their_own_worker(client, db, settings, runner) -> None:
    token = make_token(runner, "write")
    bad = client.post("/api/v1/webhooks", json={"url": "ftp://x", "events": ["nope"]}, headers=bearer(token))
    assert bad.status_code == 400 and bad.json["errors"][0]["field"] == "url"
    unknown = client.post(
        "/api/v1/webhooks", json={"url": "http://127.0.0.1/x", "events": ["nope"]}, headers=bearer(token)
    )
    assert unknown.status_code == 400 and unknown.json["errors"][0]["field"] == "events"
    assert client.post("/api/v1/webhooks", json={"url": "http://127.0.0.1/x", "events": ["send.bounced"]},
                       headers=bearer(make_token(runner, "read"))).status_code == 403  # fmt: skip
    assert WEBHOOK_QUEUE not in QUEUES  # the send worker never waits on a receiver


def test_events_carry_ids_and_the_address_only(client, db, settings, runner) -> None:
    subscriber, _ = active_subscriber(db, seeded(db, settings))
    token = make_token(runner, "write")
    chosen = ["subscriber.unsubscribed", "conversion.created"]
    client.post(
        "/api/v1/webhooks", json={"url": "http://127.0.0.1:9/x", "events": chosen}, headers=bearer(token)
    )
    client.post(
        "/api/v1/conversions",
        json={"email": "ada@example.com", "name": "Ada", "phone": "555"},
        headers=bearer(token),
    )
    client.post(f"/api/v1/subscribers/{subscriber.id}/unsubscribe", headers=bearer(token))
    client.post(f"/api/v1/subscribers/{subscriber.id}/unsubscribe", headers=bearer(token))  # no second event
    bodies = [json.loads(b) for b in db.scalars(select(WebhookDelivery.body).order_by(WebhookDelivery.id))]
    assert [b["type"] for b in bodies] == ["conversion.created", "subscriber.unsubscribed"]
    assert all("Ada" not in json.dumps(b) and "555" not in json.dumps(b) for b in bodies)
