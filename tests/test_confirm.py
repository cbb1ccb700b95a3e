"""Double opt-in: a GET changes nothing, a POST confirms and enrolls; bad links get clear pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.clinic import sender_for
from campaigns.confirmation import confirm_url, owed_confirmations, send_confirmation
from campaigns.db import make_session_factory
from campaigns.models import ConsentRecord, Enrollment, SignupAttempt, Subscriber, Suppression
from campaigns.providers import provider_for
from campaigns.settings import Settings
from campaigns.statuses import EnrollmentStatus, SubscriberStatus, SuppressionReason
from campaigns.tick import take_leftover_attempts
from campaigns.tokens import sign
from tests.conftest import engine_for
from tests.factories import outbox_messages, seeded
from tests.signup_helpers import confirmation_links, decide_signups, path_of, post_form


def signed_up(client, db: Session, settings: Settings, run_jobs) -> str:
    """Sign up through the form, deliver the confirmation email, return its link's path."""
    seeded(db, settings)
    post_form(client)
    run_jobs()
    [link] = confirmation_links(settings.outbox_dir)
    return path_of(link)


def subscriber(db: Session) -> Subscriber:
    db.expire_all()
    return db.scalars(select(Subscriber)).one()


def test_following_the_link_shows_a_button_and_changes_nothing(client, db, settings, run_jobs) -> None:
    link = signed_up(client, db, settings, run_jobs)
    for _ in range(3):  # a mail scanner may fetch it several times
        page = client.get(link)
        assert page.status_code == 200
        assert "Confirm my subscription" in page.text
    assert subscriber(db).status == SubscriberStatus.PENDING
    assert db.scalars(select(Enrollment)).all() == []


def test_pressing_the_button_confirms_and_enrolls_in_the_default_sequence(
    client, db, settings, run_jobs
) -> None:
    link = signed_up(client, db, settings, run_jobs)
    page = client.post(link)
    assert page.status_code == 200
    assert "You are subscribed" in page.text
    person = subscriber(db)
    assert person.status == SubscriberStatus.ACTIVE and person.confirmed_at is not None
    assert db.scalars(select(ConsentRecord)).one().confirmed_at is not None
    enrollment = db.scalars(select(Enrollment)).one()
    assert enrollment.status == EnrollmentStatus.ACTIVE
    local = enrollment.next_send_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Paris"))
    assert local.weekday() < 5 and 9 <= local.hour < 17  # inside the first step's window, in Paris


def test_a_link_used_twice_says_so_and_changes_nothing_more(client, db, settings, run_jobs) -> None:
    link = signed_up(client, db, settings, run_jobs)
    client.post(link)
    again = client.post(link)
    assert again.status_code == 200 and "already subscribed" in again.text
    assert "already subscribed" in client.get(link).text
    assert len(db.scalars(select(Enrollment)).all()) == 1


def test_a_forged_or_foreign_token_gets_a_clear_page(client, db, settings, run_jobs) -> None:
    link = signed_up(client, db, settings, run_jobs)
    foreign = sign(settings.secret_key, "unsubscribe", [1, 1])
    for bad in (link[:-3] + "abc", "/confirm/" + foreign, "/confirm/" + "x" * 500, "/confirm/%00%0d%0a"):
        for response in (client.get(bad), client.post(bad)):
            assert response.status_code == 400, bad
            assert "This link does not work" in response.text
    assert subscriber(db).status == SubscriberStatus.PENDING


def test_an_expired_link_offers_a_new_email(client, db: Session, settings: Settings, run_jobs) -> None:
    seeded(db, settings)
    post_form(client)
    decide_signups(db)
    record = db.scalars(select(ConsentRecord)).one()
    old = path_of(confirm_url(sender_for(db, settings), record, datetime.now(UTC) - timedelta(days=8)))
    page = client.get(old)
    assert page.status_code == 410 and "This link has expired" in page.text
    assert client.post(old).status_code == 410
    assert subscriber(db).status == SubscriberStatus.PENDING
    response = client.post(old + "/new-link")
    assert response.headers["Location"] == "/check-your-inbox"
    run_jobs()
    links = confirmation_links(settings.outbox_dir)
    assert len(links) == 1  # the signup's own email and the new one are one 10-minute window apart
    assert client.post(path_of(links[0])).status_code == 200
    assert subscriber(db).status == SubscriberStatus.ACTIVE


def test_at_most_one_confirmation_email_per_address_in_ten_minutes(client, db, settings: Settings) -> None:
    seeded(db, settings)
    sender, provider = sender_for(db, settings), provider_for(settings)
    start = datetime.now(UTC)
    post_form(client)
    post_form(client)
    decide_signups(db)
    first, second = db.scalars(select(ConsentRecord).order_by(ConsentRecord.id)).all()
    assert send_confirmation(db, first.id, sender, provider, start)
    assert not send_confirmation(db, second.id, sender, provider, start + timedelta(minutes=1))
    post_form(client)
    decide_signups(db)
    third = db.scalars(select(ConsentRecord).order_by(ConsentRecord.id.desc())).first()
    third.created_at = start + timedelta(minutes=11)
    db.commit()
    assert send_confirmation(db, third.id, sender, provider, start + timedelta(minutes=11))
    assert len(outbox_messages(settings.outbox_dir)) == 2


def test_confirmations_that_could_not_be_queued_are_swept_up(db: Session, settings, tmp_path) -> None:
    from tests.conftest import form_client, make_settings
    from web import create_app

    seeded(db, settings)
    redis_down = make_settings(
        tmp_path, DATABASE_URL=settings.database_url, REDIS_URL="redis://127.0.0.1:1/0"
    )
    response = form_client(create_app(redis_down)).post(
        "/subscribe", data={"email": "ada@example.com", "consent": "yes"}
    )
    assert response.status_code == 303  # the visitor never sees Redis trouble
    signed_at = db.scalars(select(SignupAttempt)).one().created_at
    sessions = make_session_factory(engine_for(settings.database_url))
    take_leftover_attempts(sessions, signed_at)  # the web's own job gets a minute first
    assert db.scalars(select(ConsentRecord)).all() == []
    take_leftover_attempts(sessions, signed_at + timedelta(minutes=2))
    db.expire_all()
    record = db.scalars(select(ConsentRecord)).one()
    assert record.created_at == signed_at  # the signup's own time
    assert owed_confirmations(db, record.created_at + timedelta(minutes=2)) == [record.id]
    assert owed_confirmations(db, record.created_at + timedelta(hours=2)) == []


def test_a_person_who_left_must_confirm_again_to_return(client, db, settings: Settings, run_jobs) -> None:
    client.post(signed_up(client, db, settings, run_jobs))
    person = subscriber(db)
    person.status = SubscriberStatus.UNSUBSCRIBED
    enrollment = db.scalars(select(Enrollment)).one()
    enrollment.status, enrollment.exit_reason = EnrollmentStatus.EXITED, "unsubscribed"
    db.add(
        Suppression(email=person.email, reason=SuppressionReason.UNSUBSCRIBED, created_at=datetime.now(UTC))
    )
    db.commit()
    for path in settings.outbox_dir.glob("*.eml"):
        path.unlink()
    record = post_form(client)
    assert record.status_code == 303
    assert subscriber(db).status == SubscriberStatus.UNSUBSCRIBED  # nothing is sent until they confirm
    first = db.scalars(select(ConsentRecord).order_by(ConsentRecord.id)).first()
    first.confirmation_sent_at -= timedelta(days=30)  # they first confirmed a month ago
    db.commit()
    run_jobs()
    [link] = confirmation_links(settings.outbox_dir)
    assert client.post(path_of(link)).status_code == 200
    assert subscriber(db).status == SubscriberStatus.ACTIVE
    assert db.scalars(select(Suppression)).all() == []
    db.expire_all()
    assert db.scalars(select(Enrollment)).one().status == EnrollmentStatus.ACTIVE


def test_a_bounced_address_is_never_sent_a_confirmation(client, db: Session, settings, run_jobs) -> None:
    seeded(db, settings)
    db.add(
        Suppression(email="ada@example.com", reason=SuppressionReason.BOUNCED, created_at=datetime.now(UTC))
    )
    db.commit()
    assert post_form(client).status_code == 303
    run_jobs()
    assert outbox_messages(settings.outbox_dir) == []
