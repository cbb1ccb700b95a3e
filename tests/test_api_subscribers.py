"""Subscribers through the API: double opt-in signups, keyset pages, corrections, unsubscribes and erasure."""

from __future__ import annotations

from sqlalchemy import select

from campaigns.consent import CONSENT_VERSION
from campaigns.models import ConsentRecord, Subscriber, Suppression
from campaigns.statuses import SubscriberStatus, SuppressionReason
from tests.api_helpers import bearer, make_token
from tests.factories import active_subscriber, seeded
from tests.signup_helpers import confirmation_links, path_of

SIGNUP = {
    "email": "Grace@Example.com",
    "first_name": "Grace",
    "consent": True,
    "source": "https://clinic.example/",
}


def test_a_website_signs_a_person_up_with_double_opt_in(client, db, settings, runner, run_jobs) -> None:
    seeded(db, settings)
    token = make_token(runner, "subscribe", "website")
    answer = client.post(
        "/api/v1/subscribers", json={**SIGNUP, "timezone": "Europe/Paris"}, headers=bearer(token)
    )
    assert answer.status_code == 202 and answer.json["accepted"] is True
    run_jobs()  # the signup is decided in a job, as the form's is
    subscriber = db.scalars(select(Subscriber)).one()
    assert subscriber.email == "grace@example.com" and subscriber.status == SubscriberStatus.PENDING
    record = db.scalars(select(ConsentRecord)).one()
    assert (record.source, record.page, record.consent_version) == (
        "api",
        "https://clinic.example/",
        CONSENT_VERSION,
    )
    assert record.consent_text.strip()
    [link] = confirmation_links(settings.outbox_dir)
    assert client.post(path_of(link)).status_code in (200, 303)
    db.expire_all()
    assert db.get_one(Subscriber, subscriber.id).status == SubscriberStatus.ACTIVE


def test_a_signup_without_consent_or_with_bad_fields_names_each_and_stores_nothing(
    client, db, settings, runner
) -> None:
    seeded(db, settings)
    token = make_token(runner, "subscribe")
    answer = client.post(
        "/api/v1/subscribers",
        json={
            "email": "nope",
            "first_name": "a\u0000b",
            "timezone": "Mars/Base",
            "consent": "yes",
            "admin": 1,
        },
        headers=bearer(token),
    )
    assert answer.status_code == 400 and answer.mimetype == "application/problem+json"
    assert {e["field"] for e in answer.json["errors"]} == {
        "email",
        "first_name",
        "timezone",
        "consent",
        "admin",
    }
    refused = client.post("/api/v1/subscribers", json={**SIGNUP, "consent": False}, headers=bearer(token))
    assert refused.status_code == 400 and refused.json["errors"][0]["field"] == "consent"
    other_words = client.post(
        "/api/v1/subscribers", json={**SIGNUP, "consent_version": "2020-1"}, headers=bearer(token)
    )
    assert other_words.status_code == 400 and other_words.json["errors"][0]["field"] == "consent_text"
    assert db.scalars(select(Subscriber)).all() == []


def test_the_answer_is_the_same_for_an_address_already_on_the_list(client, db, settings, runner) -> None:
    active_subscriber(db, seeded(db, settings), email="grace@example.com")
    token = make_token(runner, "subscribe")
    first = client.post("/api/v1/subscribers", json=SIGNUP, headers=bearer(token))
    assert first.status_code == 202 and first.json["message"].startswith("If this address")
    assert (
        client.get("/api/v1/subscribers", headers=bearer(token)).status_code == 403
    )  # subscribe may not read


def test_pages_follow_a_cursor_across_inserts_without_skipping_or_repeating(
    client, db, settings, runner
) -> None:
    sequence = seeded(db, settings)
    for n in range(5):
        active_subscriber(db, sequence, email=f"p{n}@example.com")
    token = make_token(runner, "read")
    first = client.get("/api/v1/subscribers?limit=2", headers=bearer(token)).json
    assert [s["email"] for s in first["subscribers"]] == ["p0@example.com", "p1@example.com"] and first[
        "has_more"
    ]
    active_subscriber(db, sequence, email="late@example.com")  # joins while the client pages through
    seen, cursor = [s["email"] for s in first["subscribers"]], first["next_cursor"]
    while True:
        page = client.get(f"/api/v1/subscribers?limit=2&cursor={cursor}", headers=bearer(token)).json
        seen += [s["email"] for s in page["subscribers"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert seen == [f"p{n}@example.com" for n in range(5)] + ["late@example.com"]
    active_subscriber(db, sequence, email="later@example.com")
    resumed = client.get(f"/api/v1/subscribers?cursor={cursor}", headers=bearer(token)).json
    assert [s["email"] for s in resumed["subscribers"]] == ["later@example.com"]


def test_filters_and_a_forged_cursor(client, db, settings, runner) -> None:
    sequence = seeded(db, settings)
    active_subscriber(db, sequence, email="in@example.com")
    db.add(
        Subscriber(
            email="pending@example.com", status=SubscriberStatus.PENDING, created_at=sequence.created_at
        )
    )
    db.commit()
    token = make_token(runner, "read")
    pending = client.get("/api/v1/subscribers?status=pending", headers=bearer(token)).json["subscribers"]
    assert [s["email"] for s in pending] == ["pending@example.com"]
    enrolled = client.get(f"/api/v1/subscribers?sequence={sequence.id}", headers=bearer(token)).json[
        "subscribers"
    ]
    assert [s["email"] for s in enrolled] == ["in@example.com"]
    future = client.get("/api/v1/subscribers?updated_since=2999-01-01T00:00:00Z", headers=bearer(token)).json
    assert future["subscribers"] == []
    forged = client.get("/api/v1/subscribers?cursor=eyJhZnRlciI6MH0.AAAAAAA.forged", headers=bearer(token))
    assert forged.status_code == 400 and forged.json["errors"][0]["field"] == "cursor"
    bad = client.get("/api/v1/subscribers?status=gone&limit=0", headers=bearer(token))
    assert bad.status_code == 400 and {e["field"] for e in bad.json["errors"]} == {"status", "limit"}


def test_a_subscriber_is_shown_corrected_and_unsubscribed(client, db, settings, runner) -> None:
    subscriber, _ = active_subscriber(db, seeded(db, settings))
    reader, writer = make_token(runner, "read"), make_token(runner, "write", "crm")
    shown = client.get(f"/api/v1/subscribers/{subscriber.id}", headers=bearer(reader)).json
    assert shown["email"] == "ada@example.com" and shown["sequences"][0]["status"] == "active"
    path = f"/api/v1/subscribers/{subscriber.id}"
    assert client.patch(path, json={"first_name": "Augusta"}, headers=bearer(reader)).status_code == 403
    patched = client.patch(
        path, json={"first_name": " Augusta ", "timezone": "Europe/London"}, headers=bearer(writer)
    )
    assert patched.json["first_name"] == "Augusta" and patched.json["timezone"] == "Europe/London"
    assert client.patch(path, json={"timezone": "Nowhere"}, headers=bearer(writer)).status_code == 400
    left = client.post(f"{path}/unsubscribe", headers=bearer(writer)).json
    assert left["status"] == "unsubscribed" and left["sequences"][0]["status"] == "exited"
    assert db.scalars(select(Suppression.email)).all() == ["ada@example.com"]
    assert client.get("/api/v1/subscribers/999", headers=bearer(reader)).status_code == 404


def test_erasing_a_subscriber_removes_their_address_and_consent(client, db, settings, runner) -> None:
    subscriber, _ = active_subscriber(db, seeded(db, settings))
    writer = make_token(runner, "write")
    client.post(f"/api/v1/subscribers/{subscriber.id}/unsubscribe", headers=bearer(writer))
    assert (
        client.delete(
            f"/api/v1/subscribers/{subscriber.id}", headers=bearer(make_token(runner, "read"))
        ).status_code
        == 403
    )
    assert client.delete(f"/api/v1/subscribers/{subscriber.id}", headers=bearer(writer)).status_code == 204
    db.expire_all()
    erased = db.get_one(Subscriber, subscriber.id)
    assert "ada" not in erased.email and erased.first_name is None
    assert db.scalars(select(ConsentRecord)).all() == []
    [remembered] = db.scalars(select(Suppression)).all()  # only as a keyed hash, so no API call re-adds it
    assert remembered.email is None and remembered.reason == SuppressionReason.ERASED
