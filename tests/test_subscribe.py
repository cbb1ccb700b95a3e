"""Signing up: the form and JSON paths, one answer for every state, consent kept, nothing half-stored."""

from __future__ import annotations

import html

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.consent import CONSENT_VERSION
from campaigns.models import ConsentRecord, Subscriber, Suppression
from campaigns.statuses import SubscriberStatus, SuppressionReason
from tests.conftest import emptied
from tests.factories import START, outbox_messages
from tests.signup_helpers import FORM, confirmation_links, counts, decide_signups, post_form, post_json
from workers.queues import DEFAULT_QUEUE


def queued(redis) -> int:
    return redis.llen(f"rq:queue:{DEFAULT_QUEUE}")


def test_the_form_stores_a_pending_subscriber_with_the_exact_consent(client, db: Session, redis) -> None:
    response = post_form(client)
    assert response.status_code == 303
    assert response.headers["Location"] == "/check-your-inbox"
    assert "Check your inbox" in client.get("/check-your-inbox").text
    assert queued(redis) == 1  # the job that decides the signup and sends the confirmation
    decide_signups(db)
    subscriber = db.scalars(select(Subscriber)).one()
    assert (subscriber.email, subscriber.first_name) == ("ada@example.com", "Ada")
    assert subscriber.status == SubscriberStatus.PENDING
    assert subscriber.timezone == "Europe/Paris"
    record = db.scalars(select(ConsentRecord)).one()
    assert record.source == "form"
    assert record.consent_version == CONSENT_VERSION
    assert record.consent_text in html.unescape(client.get("/").text)
    assert record.ip_address == "127.0.0.1"
    assert record.confirmation_sent_at is None and record.confirmed_at is None


def test_the_confirmation_email_arrives_through_the_worker(client, db: Session, run_jobs, settings) -> None:
    post_form(client)
    run_jobs()
    [message] = outbox_messages(settings.outbox_dir)
    assert message["To"] == "ada@example.com"
    assert message["Subject"] == "Please confirm your subscription"
    assert "List-Unsubscribe" not in message  # not subscribed yet: nothing to leave
    assert len(confirmation_links(settings.outbox_dir)) == 1
    db.expire_all()
    assert db.scalars(select(ConsentRecord)).one().confirmation_sent_at is not None


def test_json_signups_answer_202_and_record_their_source(client, db: Session) -> None:
    response = post_json(client, source="spring-newsletter")
    assert response.status_code == 202
    assert response.json["status"] == "accepted"
    decide_signups(db)
    record = db.scalars(select(ConsentRecord)).one()
    assert (record.source, record.page) == ("api", "spring-newsletter")


def test_every_existing_state_gets_the_same_answer(client, db: Session, redis) -> None:
    def answers() -> tuple:
        emptied(redis)  # the per-address limit is tested on its own
        form, data = post_form(client), post_json(client)
        return form.status_code, form.headers["Location"], data.status_code, data.json

    new = answers()  # creates a pending subscriber
    decide_signups(db)
    assert answers() == new  # pending
    subscriber = db.scalars(select(Subscriber)).one()
    for status in (SubscriberStatus.ACTIVE, SubscriberStatus.UNSUBSCRIBED, SubscriberStatus.BOUNCED):
        subscriber.status = status
        db.commit()
        assert answers() == new, status
    db.add(Suppression(email="ada@example.com", reason=SuppressionReason.COMPLAINED, created_at=START))
    db.commit()
    assert answers() == new


def test_active_and_suppressed_addresses_get_no_email_and_no_new_record(
    client, db: Session, settings, run_jobs
) -> None:
    post_form(client)
    decide_signups(db)
    subscriber = db.scalars(select(Subscriber)).one()
    subscriber.status = SubscriberStatus.ACTIVE
    db.commit()
    post_form(client)
    run_jobs()
    assert counts(db) == (1, 1) and outbox_messages(settings.outbox_dir) == []
    db.add(Suppression(email="grace@example.com", reason=SuppressionReason.BOUNCED, created_at=START))
    db.commit()
    post_form(client, email="grace@example.com")
    run_jobs()
    assert counts(db) == (1, 1) and outbox_messages(settings.outbox_dir) == []


def test_a_filled_honeypot_gets_the_normal_answer_and_nothing_is_stored(client, db: Session, redis) -> None:
    form = post_form(client, website="http://spam.example")
    data = post_json(client, website="http://spam.example")
    assert form.status_code == 303 and form.headers["Location"] == "/check-your-inbox"
    assert data.status_code == 202
    assert counts(db) == (0, 0)
    assert queued(redis) == 0


def test_addresses_are_normalized_so_one_person_is_one_subscriber(client, db: Session) -> None:
    post_form(client, email="  Ada@Example.COM ")
    post_form(client, email="ada@example.com")
    decide_signups(db)
    assert [s.email for s in db.scalars(select(Subscriber))] == ["ada@example.com"]


def test_international_addresses_and_names_are_kept_exactly(client, db: Session) -> None:
    cases = {
        "juergen@bücher.de": "Jürgen",
        "xiaoming@例子.广告": "小明",
        "zoe@example.com": "Zoë 🌻",
    }
    for email, name in cases.items():
        assert post_form(client, email=email, first_name=name).status_code == 303
    decide_signups(db)
    stored = {s.email: s.first_name for s in db.scalars(select(Subscriber))}
    assert stored == cases


def test_the_form_page_works_without_a_browser_time_zone(client, db: Session) -> None:
    assert post_form(client, timezone="Not/AZone").status_code == 303
    decide_signups(db)
    assert db.scalars(select(Subscriber)).one().timezone is None


def test_embedded_plain_form_posts_are_recorded_as_embed(client, db: Session) -> None:
    post_form(client, embed="1", page="https://clinic.example/fibromyalgia")
    decide_signups(db)
    record = db.scalars(select(ConsentRecord)).one()
    assert (record.source, record.page) == ("embed", "https://clinic.example/fibromyalgia")


def test_the_form_shows_what_to_fix_and_keeps_what_was_typed(client, db: Session) -> None:
    page = client.post("/subscribe", data={**FORM, "email": "not-an-address", "consent": ""})
    assert page.status_code == 400
    assert "That email address is not valid" in page.text
    assert "Please tick the box" in page.text
    assert 'value="not-an-address"' in page.text
    assert 'aria-invalid="true"' in page.text
    assert counts(db) == (0, 0)
