"""Leaving: the body link shows choices, one-click from the mail app acts at once, pausing waits 30 days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.clinic import sender_for
from campaigns.composing import content_for
from campaigns.delivery import deliver_batch
from campaigns.models import Enrollment, Send, StatRollup, Subscriber, Suppression
from campaigns.planner import claim_due_sends
from campaigns.providers import provider_for
from campaigns.statuses import EnrollmentStatus, SendStatus, SubscriberStatus, SuppressionReason
from campaigns.test_send import preview
from campaigns.tokens import sign
from tests.factories import START, active_subscriber, outbox_messages, seeded
from tests.test_tick import tick


def unsubscribe_path(settings) -> str:
    message = outbox_messages(settings.outbox_dir)[0]
    return "/" + message["List-Unsubscribe"].strip("<>").split("/", 3)[3]


def person(db: Session) -> Subscriber:
    db.expire_all()
    return db.scalars(select(Subscriber)).one()


def test_the_link_shows_choices_and_a_get_changes_nothing(client, db, settings) -> None:
    active_subscriber(db, seeded(db, settings))
    tick(settings, 0)
    path = unsubscribe_path(settings)
    for _ in range(3):  # mail scanners fetch links
        page = client.get(path)
        assert "Unsubscribe from all emails" in page.text and "Pause emails for 30 days" in page.text
    assert person(db).status == SubscriberStatus.ACTIVE


def test_pressing_unsubscribe_leaves_everything_and_is_counted_against_the_email(
    client, db, settings
) -> None:
    _, enrollment = active_subscriber(db, seeded(db, settings))
    tick(settings, 0)
    page = client.post(unsubscribe_path(settings), data={"action": "leave"})
    assert page.status_code == 200 and "You are unsubscribed" in page.text
    assert person(db).status == SubscriberStatus.UNSUBSCRIBED
    assert db.scalars(select(Suppression)).one().reason == SuppressionReason.UNSUBSCRIBED
    assert db.get_one(Enrollment, enrollment.id).status == EnrollmentStatus.EXITED
    assert db.scalars(select(StatRollup).where(StatRollup.metric == "unsubscribed")).one().count == 1
    assert sum(tick(settings, day)["sent"] for day in range(1, 30)) == 0


def test_one_click_with_the_exact_body_unsubscribes_at_once_without_a_redirect(client, db, settings) -> None:
    active_subscriber(db, seeded(db, settings))
    tick(settings, 0)
    response = client.post(
        unsubscribe_path(settings),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200 and "Location" not in response.headers
    assert person(db).status == SubscriberStatus.UNSUBSCRIBED


def test_a_post_without_the_one_click_body_or_a_choice_changes_nothing(client, db, settings) -> None:
    active_subscriber(db, seeded(db, settings))
    tick(settings, 0)
    for body in ("List-Unsubscribe=Yes", "", "action=delete-everything"):
        response = client.post(
            unsubscribe_path(settings), data=body, content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 400
    assert person(db).status == SubscriberStatus.ACTIVE


def test_pausing_holds_emails_for_30_days_then_the_series_continues(client, db, settings) -> None:
    active_subscriber(db, seeded(db, settings))
    tick(settings, 0)
    page = client.post(unsubscribe_path(settings), data={"action": "pause"})
    assert "Paused for 30 days" in page.text
    again = client.get(unsubscribe_path(settings)).text  # the link, opened later
    assert "Your emails are paused" in again and 'value="pause"' not in again and 'value="leave"' in again
    subscriber = person(db)
    assert timedelta(days=29) < subscriber.paused_until - datetime.now(UTC) <= timedelta(days=30)
    subscriber.paused_until = START + timedelta(days=30)  # the same pause, on the test's clock
    db.commit()
    assert sum(tick(settings, day)["sent"] for day in range(1, 30)) == 0
    assert sum(tick(settings, day)["sent"] for day in range(30, 60)) == 5  # it continues where it left


def test_forged_and_foreign_links_get_a_404(client, db, settings) -> None:
    active_subscriber(db, seeded(db, settings))
    for bad in (
        "/unsubscribe/garbage",
        "/unsubscribe/" + sign(settings.secret_key, "confirm", [1, 1]),
        "/unsubscribe/" + sign(settings.secret_key, "unsubscribe", [999, 1]),
    ):
        assert client.get(bad).status_code == 404
        assert client.post(bad, data={"action": "leave"}).status_code == 404
    assert person(db).status == SubscriberStatus.ACTIVE


def test_an_unsubscribe_while_the_next_email_is_queued_stops_it(client, db, settings) -> None:
    active_subscriber(db, seeded(db, settings))
    tick(settings, 0)
    path = unsubscribe_path(settings)
    batch = claim_due_sends(db, START + timedelta(days=3))  # email 2 claimed, its job in the queue
    db.commit()
    client.post(path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    deliver_batch(
        db, batch.send_ids, sender_for(db, settings), provider_for(settings), START + timedelta(days=3)
    )
    assert len(outbox_messages(settings.outbox_dir)) == 1
    db.expire_all()
    assert db.get_one(Send, batch.send_ids[0]).status == SendStatus.SKIPPED


def test_the_page_says_which_address_is_leaving_masked(client, db, settings) -> None:
    active_subscriber(db, seeded(db, settings), email="dana@example.org")
    tick(settings, 0)
    path = unsubscribe_path(settings)
    assert "d***@example.org" in client.get(path).text
    assert "dana@example.org" not in client.get(path).text
    done = client.post(path, data={"action": "leave"}).text
    assert "<strong>d***@example.org</strong> will not receive any more emails" in done
    assert '<a href="/">sign up again</a>' in done


def test_a_test_emails_unsubscribe_link_says_it_was_a_test(client, db, settings) -> None:
    sequence = seeded(db, settings)
    test_email = preview(sender_for(db, settings), content_for(sequence.steps[0]))
    path = "/" + test_email.unsubscribe_url.split("/", 3)[3]
    page = client.get(path)
    assert page.status_code == 200 and "This link came in a test email" in page.text
    one_click = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200 and "nobody was unsubscribed" in one_click.text
