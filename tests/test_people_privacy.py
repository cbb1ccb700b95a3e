"""Privacy requests: export everything about a person, erase it, and what an erased address may still do."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.conversions import Booking, record_conversion
from campaigns.models import (
    AuditLog,
    ConsentRecord,
    Conversion,
    Event,
    Send,
    Sequence,
    Subscriber,
    Suppression,
)
from campaigns.people.actions import suppress_by_hand
from campaigns.people.hashing import address_hash, erased_among, erased_suppression
from campaigns.people.privacy import erase_person, export_person
from campaigns.stats import sequence_stats
from campaigns.statuses import SubscriberStatus, SuppressionReason
from campaigns.tracking import Hit, record_hits
from tests.conftest import SECRET_KEY
from tests.factories import START, active_subscriber, seeded
from tests.people_helpers import write_csv
from tests.signup_helpers import confirmation_links, path_of, post_form, post_json
from tests.test_tick import tick

ADA = "ada@example.com"


def walked(db: Session, settings) -> Subscriber:
    """A subscriber who got the first emails, opened one and booked a consultation."""
    sequence = seeded(db, settings)
    ada, _ = active_subscriber(db, sequence)
    db.add(
        ConsentRecord(
            subscriber_id=ada.id,
            email=ADA,
            created_at=START,
            source="form",
            ip_address="203.0.113.9",
            user_agent="Firefox",
            consent_text="Yes, send me the emails",
            consent_version="v1",
        )
    )
    db.commit()
    for day in (0, 3, 6):
        tick(settings, day)
    send = db.scalars(select(Send).order_by(Send.id)).first()
    record_hits(
        db, [Hit(kind="open", send_id=send.id, at=START, user_agent="Firefox/130", ip="198.51.100.4")]
    )
    record_conversion(db, Booking(email=ADA, source="form", name="Ada Lovelace"), START)
    db.commit()
    return ada


def test_the_export_holds_everything_about_the_person(db, settings) -> None:
    ada = walked(db, settings)
    data = export_person(db, ADA)
    assert data["found"] and data["profile"]["first_name"] == "Ada"
    assert data["consent_records"][0]["ip_address"] == "203.0.113.9"
    assert len(data["sends"]) == 2 and data["events"][0]["kind"] == "open"
    assert data["conversions"][0]["details"]["name"] == "Ada Lovelace"
    assert len(data["enrollments"]) == 1
    suppress_by_hand(db, ada, "asked by phone", None, START)
    db.commit()
    data = export_person(db, ADA)
    assert data["suppression"]["reason"] == "manual"
    assert data["audit_entries"][0]["detail"]["reason"] == "asked by phone"
    json.dumps(data)  # every value is JSON


def test_erasing_leaves_nothing_personal_and_the_stats_unchanged(db, settings) -> None:
    ada = walked(db, settings)
    sequence_id = db.scalars(select(Sequence.id)).one()
    before = sequence_stats(db, sequence_id)
    assert erase_person(db, SECRET_KEY, ADA, None, START)
    db.commit()
    db.expire_all()
    assert sequence_stats(db, sequence_id) == before
    placeholder = db.get_one(Subscriber, ada.id)
    assert placeholder.status == SubscriberStatus.ERASED and placeholder.first_name is None
    assert ADA not in placeholder.email
    assert db.scalars(select(ConsentRecord)).all() == []
    assert all(event.data == {} for event in db.scalars(select(Event)))
    assert [c.email for c in db.scalars(select(Conversion))] == [""]
    [kept] = db.scalars(select(Suppression)).all()
    assert (kept.email, kept.reason, kept.email_hash) == (
        None,
        SuppressionReason.ERASED,
        address_hash(SECRET_KEY, ADA),
    )
    assert db.scalars(select(AuditLog.action)).all() == ["privacy.erase"]
    data = export_person(db, ADA)
    assert not data["found"] and data["profile"] is None and data["consent_records"] == []
    assert data["sends"] == data["events"] == data["conversions"] == [] and data["suppression"] is None


def test_an_erased_address_is_refused_by_import_and_api_but_a_confirmed_form_signup_clears_it(
    client, db, settings, run_jobs, runner, tmp_path
) -> None:
    walked(db, settings)
    assert runner.invoke(args=["privacy", "erase", ADA, "--yes"]).exit_code == 0
    rows = [{"Email": "Ada@Example.com", "First name": "Ada", "Consent date": ""}]
    result = runner.invoke(
        args=["import-subscribers", str(write_csv(tmp_path / "a.csv", rows)), "--consent-source", "old list"]
    )
    assert result.output.strip().splitlines()[-1] == "imported=0 merged=0 rejected=1"
    assert post_json(client, email=ADA).status_code == 202  # the same answer for everyone
    db.expire_all()
    assert db.scalars(select(Subscriber).where(Subscriber.email == ADA)).all() == []
    assert post_form(client, email=ADA).status_code == 303
    run_jobs()
    [link] = confirmation_links(settings.outbox_dir)
    assert client.post(path_of(link)).status_code == 200
    db.expire_all()
    assert (
        db.scalars(select(Subscriber).where(Subscriber.email == ADA)).one().status == SubscriberStatus.ACTIVE
    )
    assert db.scalars(select(Suppression).where(Suppression.reason == SuppressionReason.ERASED)).all() == []


def test_the_privacy_commands(runner, db, settings) -> None:
    walked(db, settings)
    exported = runner.invoke(args=["privacy", "export", "ADA@example.com"])
    assert exported.exit_code == 0 and json.loads(exported.output)["profile"]["email"] == ADA
    refused = runner.invoke(args=["privacy", "erase", ADA], input="n\n")
    assert refused.exit_code != 0
    assert db.scalars(select(Subscriber.status)).one() == SubscriberStatus.ACTIVE
    assert runner.invoke(args=["privacy", "erase", ADA, "--yes"]).exit_code == 0
    again = runner.invoke(args=["privacy", "erase", ADA, "--yes"])
    assert again.exit_code == 1 and "nobody with that address" in again.output
    after = json.loads(runner.invoke(args=["privacy", "export", ADA]).output)
    assert after["profile"] is None and "Ada" not in json.dumps(
        {k: v for k, v in after.items() if k != "email"}
    )
    assert runner.invoke(args=["privacy", "export", "not an address"]).exit_code == 1


def test_an_erased_address_stays_refused_through_a_secret_key_rotation(db, settings) -> None:
    walked(db, settings)
    assert erase_person(db, "the-old-key", ADA, None, START)
    db.commit()
    rotated = ("the-new-key", "the-old-key")  # SECRET_KEY, then SECRET_KEY_FALLBACKS
    assert erased_among(db, rotated, [ADA, "bob@example.com"]) == {ADA}
    assert erased_suppression(db, rotated, ADA) is not None
    assert erased_among(db, "the-new-key", [ADA]) == set()  # why the old key must stay listed
