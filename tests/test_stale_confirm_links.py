"""An old confirmation link cannot undo leaving, and a repeat signup changes nothing until confirmed."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from campaigns.exits import suppress
from campaigns.models import ConsentRecord, Enrollment, Subscriber, Suppression
from campaigns.statuses import SubscriberStatus, SuppressionReason
from campaigns.tokens import sign
from tests.factories import outbox_messages, seeded
from tests.signup_helpers import confirmation_links, decide_signups, path_of, post_form


def subscriber(db: Session) -> Subscriber:
    db.expire_all()
    return db.scalars(select(Subscriber)).one()


def first_link(client, db, settings, run_jobs, **form: str) -> str:
    seeded(db, settings)
    post_form(client, **form)
    run_jobs()
    [link] = confirmation_links(settings.outbox_dir)
    return path_of(link)


def test_an_old_confirm_link_cannot_undo_an_unsubscribe(client, db, settings, run_jobs) -> None:
    link = first_link(client, db, settings, run_jobs)
    assert client.post(link).status_code == 200
    person = subscriber(db)
    unsubscribe = sign(settings.secret_key, "unsubscribe", [person.id, 0])
    assert client.post(f"/unsubscribe/{unsubscribe}", data={"action": "leave"}).status_code == 200
    assert subscriber(db).status == SubscriberStatus.UNSUBSCRIBED
    assert "sign up again" in client.get(link).text  # says so before anything is pressed
    for _ in range(2):  # the link was usable more than once; now it is not usable at all
        page = client.post(link)
        assert page.status_code == 409 and "sign up again" in page.text
    assert subscriber(db).status == SubscriberStatus.UNSUBSCRIBED
    assert db.scalars(select(Suppression)).one().reason == SuppressionReason.UNSUBSCRIBED
    db.expire_all()
    assert all(e.status != "active" for e in db.scalars(select(Enrollment)))


def test_a_link_sent_before_a_suppression_never_confirms(client, db, settings, run_jobs) -> None:
    link = first_link(client, db, settings, run_jobs)
    suppress(db, "ada@example.com", SuppressionReason.UNSUBSCRIBED, datetime.now(UTC), note="SendGrid")
    db.commit()
    assert client.post(link).status_code == 409
    assert subscriber(db).status != SubscriberStatus.ACTIVE
    assert db.scalars(select(Suppression)).one() is not None
    assert db.scalars(select(Enrollment)).all() == []


def test_coming_back_takes_a_new_signup_and_its_own_link(client, db, settings, run_jobs) -> None:
    old = first_link(client, db, settings, run_jobs)
    client.post(old)
    person = subscriber(db)
    token = sign(settings.secret_key, "unsubscribe", [person.id, 0])
    client.post(f"/unsubscribe/{token}", data={"action": "leave"})
    for path in settings.outbox_dir.glob("*.eml"):
        path.unlink()
    db.execute(  # let the resend interval pass
        ConsentRecord.__table__.update().values(confirmation_sent_at=datetime(2020, 1, 1, tzinfo=UTC))
    )
    db.commit()
    post_form(client)
    run_jobs()
    [new] = confirmation_links(settings.outbox_dir)
    assert client.post(old).status_code == 409
    assert client.post(path_of(new)).status_code == 200
    assert subscriber(db).status == SubscriberStatus.ACTIVE
    assert db.scalars(select(Suppression)).all() == []


def test_a_link_issued_before_an_erasure_does_not_confirm_a_later_signup(
    client, db, settings, run_jobs
) -> None:
    link = first_link(client, db, settings, run_jobs)
    db.execute(delete(ConsentRecord))  # erased: every row about the person is gone
    db.execute(delete(Subscriber))
    db.commit()
    post_form(client)  # the same address signs up again; its rows may get the freed ids
    decide_signups(db)
    assert client.post(link).status_code == 409
    assert subscriber(db).status == SubscriberStatus.PENDING


def test_a_repeat_signup_changes_the_name_and_zone_only_once_confirmed(
    client, db, settings, run_jobs
) -> None:
    first_link(client, db, settings, run_jobs, first_name="Ada", timezone="Europe/Paris")
    db.execute(  # let the resend interval pass, so the repeat gets its own email
        ConsentRecord.__table__.update().values(confirmation_sent_at=datetime(2020, 1, 1, tzinfo=UTC))
    )
    db.commit()
    for path in settings.outbox_dir.glob("*.eml"):
        path.unlink()
    post_form(client, first_name="Mallory", timezone="Asia/Tokyo")
    run_jobs()
    person = subscriber(db)
    assert (person.first_name, person.timezone) == ("Ada", "Europe/Paris")
    second = db.scalars(select(ConsentRecord).order_by(ConsentRecord.id.desc())).first()
    assert second.first_name == "Mallory"  # kept with its own record, as evidence of that signup
    [link] = confirmation_links(settings.outbox_dir)
    assert "Hi Mallory," in outbox_messages(settings.outbox_dir)[0].get_body(("plain",)).get_content()
    assert client.post(path_of(link)).status_code == 200  # the person confirmed this one
    person = subscriber(db)
    assert (person.first_name, person.timezone) == ("Mallory", "Asia/Tokyo")
