"""Finding people, their timeline, manual actions, the suppression list by hand, and the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from campaigns.errors import ValidationError
from campaigns.models import AuditLog, Send, Sequence, Subscriber, Suppression
from campaigns.people.actions import end_enrollment, enroll_by_hand, suppress_by_hand, unsubscribe_by_hand
from campaigns.people.export import csv_chunks
from campaigns.people.search import people_query, search
from campaigns.people.suppressions import add_pasted, listing, page_of, remove
from campaigns.people.timeline import timeline
from campaigns.seed import DEFAULT_SLUG
from campaigns.statuses import EnrollmentStatus, SequenceStatus, SubscriberStatus
from campaigns.tracking import Hit, record_hits
from tests.factories import START, active_subscriber, seeded
from tests.test_tick import tick


def crowd(db, settings, count: int = 120) -> Sequence:
    """`count` active people, every third one pending, enrolled in the default sequence."""
    sequence = seeded(db, settings)
    for n in range(count):
        person, _ = active_subscriber(
            db, sequence, email=f"p{n:03}@{'gmail.com' if n % 2 else 'example.org'}"
        )
        if n % 3 == 0:
            person.status = SubscriberStatus.PENDING
    db.commit()
    return sequence


def test_keyset_pages_walk_everyone_once_newest_first(db, settings) -> None:
    crowd(db, settings)
    query = people_query(db, text="gmail")
    seen, after = [], None
    while True:
        page = search(db, query, after, size=25)
        seen += [p.email for p in page.people]
        if page.next_after is None:
            break
        after = page.next_after
    assert (
        len(seen) == len(set(seen)) == 60 and seen[0] == "p119@gmail.com" and all("gmail" in e for e in seen)
    )


def test_search_by_status_sequence_source_and_name(db, settings) -> None:
    sequence = crowd(db, settings, 30)
    pending = search(db, people_query(db, status="pending")).people
    assert len(pending) == 10 and {p.status for p in pending} == {SubscriberStatus.PENDING}
    assert len(search(db, people_query(db, sequence=sequence.slug)).people) == 30
    assert search(db, people_query(db, source="import")).people == []
    assert len(search(db, people_query(db, text="ADA")).people) == 30  # the first name, any case
    assert search(db, people_query(db, text="100%_")).people == []  # wildcards are literal
    for bad in ({"status": "gone"}, {"sequence": "nope"}, {"source": "fax"}, {"text": "x\x00"}):
        with pytest.raises(ValidationError):
            people_query(db, **bad)


def test_the_export_is_the_search(db, settings) -> None:
    crowd(db, settings, 30)
    query = people_query(db, text="example.org", status="active")
    rows = list(csv.DictReader(io.StringIO("".join(csv_chunks(db, query)))))
    assert [r["email"] for r in rows] == [p.email for p in search(db, query).people]
    assert rows[0]["sequences"] == DEFAULT_SLUG and rows[0]["status"] == "active"


def test_the_timeline_tells_a_persons_story_in_order(db, settings) -> None:
    sequence = seeded(db, settings)
    ada, _ = active_subscriber(db, sequence)
    tick(settings, 0)
    send = db.scalars(select(Send)).one()
    record_hits(
        db, [Hit(kind="open", send_id=send.id, at=START + timedelta(hours=1), user_agent="Mozilla/5.0")]
    )
    suppress_by_hand(db, ada, "asked us by phone to stop", None, START + timedelta(hours=2))
    db.commit()
    titles = [(e.kind, e.title) for e in timeline(db, ada)]
    kinds = [kind for kind, _ in titles]
    assert kinds.index("enrollment") < kinds.index("send") < kinds.index("open") < kinds.index("action")
    assert ("action", "subscriber.suppress by the command line") in titles
    opened = next(e for e in timeline(db, ada) if e.kind == "open")
    assert opened.automated  # Apple's privacy proxy, not a person
    assert sum(tick(settings, day)["sent"] for day in range(1, 30)) == 0  # suppressed: nothing more


def test_manual_actions_check_their_ground_and_are_audited(db, settings) -> None:
    sequence = seeded(db, settings)
    ada, enrollment = active_subscriber(db, sequence)
    other = Sequence(
        name="Other", slug="other", status=SequenceStatus.ACTIVE, created_at=START, updated_at=START
    )
    db.add(other)
    db.flush()
    zone = __import__("zoneinfo").ZoneInfo("America/New_York")
    enroll_by_hand(db, ada, other, zone, None, START)
    with pytest.raises(ValidationError):
        enroll_by_hand(db, ada, other, zone, None, START)
    end_enrollment(db, enrollment, None, START)
    assert enrollment.status == EnrollmentStatus.EXITED
    with pytest.raises(ValidationError):
        end_enrollment(db, enrollment, None, START)
    unsubscribe_by_hand(db, ada, None, START)
    with pytest.raises(ValidationError):
        suppress_by_hand(db, ada, "   ", None, START)
    db.commit()
    actions = db.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions == ["subscriber.enroll", "subscriber.end_enrollment", "subscriber.unsubscribe"]


def test_the_suppression_list_by_hand(db, settings) -> None:
    sequence = seeded(db, settings)
    ada, _ = active_subscriber(db, sequence)
    added = add_pasted(
        db,
        "Ada@Example.com, bob@example.org\nnot-an-address\n bob@example.org",
        "complaint by phone",
        None,
        START,
    )
    assert (added.added, added.invalid) == (2, ["not-an-address"])
    again = add_pasted(db, "bob@example.org", "again", None, START)
    assert (again.added, again.already) == (0, ["bob@example.org"])
    rows, _ = page_of(db, listing(reason="manual", text="ada"), None)
    assert [r.email for r in rows] == ["ada@example.com"]
    remove(db, rows[0], "added by mistake", None, START)
    db.commit()
    db.expire_all()
    assert db.scalar(select(Suppression).where(Suppression.email == "ada@example.com")) is None
    assert db.get_one(Subscriber, ada.id).status == SubscriberStatus.PENDING  # must confirm again first
    assert sum(tick(settings, day)["sent"] for day in range(0, 30)) == 0
