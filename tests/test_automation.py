"""Machine hits are kept, flagged, and left out of the human counts; both are counted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from campaigns.models import Event, Send, StatRollup
from campaigns.tracking import Hit, record_hits
from tests.factories import START, active_subscriber, seeded
from tests.test_tick import tick

HUMAN_AGENT = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"


@pytest.fixture
def sent(db, settings) -> Send:
    active_subscriber(db, seeded(db, settings))
    tick(settings, 0)
    return db.scalars(select(Send)).one()


def metric(db, name: str) -> int:
    return sum(r.count for r in db.scalars(select(StatRollup).where(StatRollup.metric == name)))


def link_of(db, send: Send) -> int:
    from campaigns.models import Link

    return db.scalars(select(Link).where(Link.step_version_id == send.step_version_id)).first().id


@pytest.mark.parametrize(
    ("user_agent", "ip", "why"),
    [
        ("Mozilla/5.0", "203.0.113.9", "apple-privacy-proxy"),
        (HUMAN_AGENT, "17.58.100.1", "apple-privacy-proxy"),
        ("Barracuda Sentinel (EE)", "198.51.100.7", "scanner-agent"),
    ],
)
def test_proxy_and_scanner_opens_are_flagged(db, sent: Send, user_agent, ip, why) -> None:
    record_hits(db, [Hit("open", sent.id, START + timedelta(hours=1), user_agent=user_agent, ip=ip)])
    db.commit()
    event = db.scalars(select(Event)).one()
    assert event.automated and event.data["automated"] == why
    assert (metric(db, "opened"), metric(db, "opened_human")) == (1, 0)


def test_a_human_open_counts_once_in_both_rates(db, sent: Send) -> None:
    hits = [
        Hit("open", sent.id, START + timedelta(hours=h), user_agent=HUMAN_AGENT, ip="203.0.113.5")
        for h in (1, 2)
    ]
    record_hits(db, hits)
    db.commit()
    assert (metric(db, "opened"), metric(db, "opened_human")) == (1, 1)  # unique opens
    assert len(db.scalars(select(Event)).all()) == 2  # every hit is kept


@pytest.mark.parametrize(
    ("method", "user_agent", "after", "why"),
    [
        ("HEAD", HUMAN_AGENT, timedelta(hours=1), "head-request"),
        ("GET", "Mozilla/5.0 (compatible; Proofpoint URL Defense)", timedelta(hours=1), "scanner-agent"),
        ("GET", HUMAN_AGENT, timedelta(seconds=3), "seconds-after-delivery"),
    ],
)
def test_scanner_clicks_are_flagged(db, sent: Send, method, user_agent, after, why) -> None:
    record_hits(
        db, [Hit("click", sent.id, START + after, link_of(db, sent), user_agent, "198.51.100.1", method)]
    )
    db.commit()
    assert db.scalars(select(Event)).one().data["automated"] == why
    assert (metric(db, "clicked"), metric(db, "clicked_human")) == (1, 0)


def test_every_link_clicked_at_once_is_a_scanner(db, sent: Send) -> None:
    from campaigns.models import Link

    other = Link(step_version_id=sent.step_version_id, position=2, url="https://example.org/other")
    db.add(other)
    db.flush()
    at = START + timedelta(hours=1)
    record_hits(
        db,
        [
            Hit("click", sent.id, at, link_of(db, sent), HUMAN_AGENT),
            Hit("click", sent.id, at + timedelta(milliseconds=300), other.id, HUMAN_AGENT),
        ],
    )
    db.commit()
    assert {e.data["automated"] for e in db.scalars(select(Event))} == {"every-link-at-once"}


def test_a_human_click_counts(db, sent: Send) -> None:
    record_hits(db, [Hit("click", sent.id, START + timedelta(hours=2), link_of(db, sent), HUMAN_AGENT)])
    db.commit()
    assert (metric(db, "clicked"), metric(db, "clicked_human")) == (1, 1)
