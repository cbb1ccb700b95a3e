"""The dashboard answers "how are we doing?": people, sends, bookings, each sequence's funnel, warnings."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import StepVersion
from campaigns.rollups import bump
from campaigns.sequences.overview import overview
from campaigns.statuses import Role
from tests.factories import active_subscriber, seeded
from tests.test_step_editor import sign_in_as


def test_the_dashboard_counts_people_sends_and_each_sequence(client, db: Session, settings) -> None:
    sequence = seeded(db, settings)
    active_subscriber(db, sequence, email="ada@example.com")
    active_subscriber(db, sequence, email="bo@example.com")
    version = db.scalars(select(StepVersion)).first()
    today = datetime.now(UTC).date()
    bump(db, Counter({(version.id, today, "sent"): 2000, (version.id, today, "complained"): 2}))
    db.commit()
    numbers = overview(db, datetime.now(UTC))
    assert numbers.people == {"active": 2, "pending": 0, "unsubscribed": 0, "suppressed": 0}
    assert (numbers.sent_today, numbers.sent_week) == (2000, 2000)
    assert numbers.sequences[0].sent == 2000
    assert any("near the 0.1%" in w for w in numbers.warnings)  # 0.10% complaints
    sign_in_as(client, db, Role.VIEWER)
    page = client.get("/admin/").text
    assert "How are we doing?" in page and "near the 0.1%" in page
    assert "Emails sent today</dt><dd>2000</dd>" in page


def test_complaints_past_the_line_are_shouted(client, db: Session, settings) -> None:
    seeded(db, settings)
    version = db.scalars(select(StepVersion)).first()
    bump(
        db,
        Counter(
            {
                (version.id, datetime.now(UTC).date(), "sent"): 100,
                (version.id, datetime.now(UTC).date(), "complained"): 1,
            }
        ),
    )
    db.commit()
    assert "start rejecting" in overview(db, datetime.now(UTC)).warnings[0]
    sign_in_as(client, db, Role.VIEWER)
    assert "start rejecting" in client.get("/admin/").text
