"""The numbers marketers read: per sequence, step and version, human and all, from rollups."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.conversions import Booking, record_conversion
from campaigns.db import make_session_factory
from campaigns.models import Link, Send
from campaigns.people.timeline import timeline
from campaigns.sequence_editing import publish_step
from campaigns.stats import sequence_stats
from campaigns.tracking import Hit, record_hits
from tests.conftest import engine_for
from tests.factories import START, active_subscriber, seeded
from tests.test_tick import tick
from tests.test_tracked_links import flush_hits
from workers.hit_buffer import drain

HUMAN = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Version/17.5 Safari/605.1.15"


def test_stats_count_sends_opens_clicks_and_bookings_per_step(db: Session, settings) -> None:
    sequence = seeded(db, settings)
    for n in range(4):
        active_subscriber(db, sequence, email=f"reader{n}@example.com")
    tick(settings, 0)
    sends = db.scalars(select(Send).order_by(Send.id)).all()
    link = db.scalars(select(Link)).first()
    later = START + timedelta(hours=2)
    record_hits(
        db,
        [
            Hit("open", sends[0].id, later, user_agent=HUMAN),
            Hit("open", sends[1].id, later, user_agent="Mozilla/5.0"),  # Apple's proxy
            Hit("click", sends[0].id, later, link.id, HUMAN),
            Hit("click", sends[0].id, later + timedelta(minutes=5), link.id, HUMAN),
        ],
    )
    record_conversion(db, Booking(email="reader0@example.com", source="form"), later + timedelta(days=1))
    db.commit()

    stats = sequence_stats(db, sequence.id)
    first = stats.steps[0].counts
    assert (first["sent"], first["opened"], first["opened_human"]) == (4, 2, 1)
    assert (first["clicked"], first["clicked_human"], first["converted"]) == (1, 1, 1)
    assert first.rate("opened_human") == 0.25 and first.rate("opened") == 0.5
    assert first.click_to_open == 1.0
    assert stats.total["sent"] == 4
    assert stats.links == [(link.url, 2, 2)]
    assert stats.median_time_to_convert == timedelta(days=1, hours=2)
    next_day = (START + timedelta(days=1)).date()
    assert list(stats.daily) == [START.date(), next_day]
    assert (stats.daily[START.date()]["sent"], stats.daily[next_day]["converted"]) == (4, 1)
    assert stats.steps[0].versions == {1: first}


def test_a_send_keeps_the_subject_it_went_out_with_after_a_new_version(db: Session, settings) -> None:
    sequence = seeded(db, settings)
    subscriber, _ = active_subscriber(db, sequence)
    tick(settings, 0)
    first_step = sequence.steps[0]
    sent_with = first_step.versions[0].subject
    record_hits(
        db, [Hit("open", db.scalars(select(Send)).one().id, START + timedelta(hours=1), user_agent=HUMAN)]
    )
    first_step.subject = "A new subject for those still to come"
    publish_step(db, first_step, "UTC", START + timedelta(hours=2))
    db.commit()
    subjects = sequence_stats(db, sequence.id).steps[0].subjects
    assert subjects == {(1, "a"): sent_with}
    titles = [entry.title for entry in timeline(db, subscriber)]
    assert f"Opened “{sent_with}”" in titles and not any("A new subject" in title for title in titles)


def test_buffered_hits_are_not_lost_while_workers_are_down(client, db: Session, settings, redis) -> None:
    active_subscriber(db, seeded(db, settings))
    tick(settings, 0)
    send = db.scalars(select(Send)).one()
    html = (settings.outbox_dir / f"send-{send.id}.eml").read_text()
    pixel = re.search(r"/t/o/[\w.-]+", html).group(0)
    for _ in range(25):  # no worker drains meanwhile
        assert client.get(pixel).status_code == 200
    flush_hits(client)
    assert 1 <= redis.xlen("nurture:hits") <= 3  # an entry holds a whole batch of hits
    sessions = make_session_factory(engine_for(settings.database_url))
    assert drain(redis, sessions) == 25
    assert redis.xlen("nurture:hits") == 0
    assert sequence_stats(db, send.enrollment.sequence_id).total["opened"] == 1


def test_a_hit_is_recorded_directly_when_redis_is_down(db: Session, settings, tmp_path) -> None:
    from tests.conftest import make_settings
    from web import create_app

    active_subscriber(db, seeded(db, settings))
    tick(settings, 0)
    send = db.scalars(select(Send)).one()
    pixel = re.search(r"/t/o/[\w.-]+", (settings.outbox_dir / f"send-{send.id}.eml").read_text()).group(0)
    down = make_settings(tmp_path, DATABASE_URL=settings.database_url, REDIS_URL="redis://127.0.0.1:1/0")
    down_client = create_app(down).test_client()
    assert down_client.get(pixel).status_code == 200
    flush_hits(down_client)
    assert sequence_stats(db, send.enrollment.sequence_id).total["opened"] == 1


def test_the_stats_command_prints_human_and_all_opens_side_by_side(runner, db: Session, settings) -> None:
    active_subscriber(db, seeded(db, settings))
    tick(settings, 0)
    output = runner.invoke(args=["stats", "fibromyalgia-education"]).output
    assert "opens-human" in output and "opens-all" in output
    assert re.search(r"^\s+1\s+1\s+0\s+0\s+0 0\.0%\s+0 0\.0%", output, re.MULTILINE)  # step 1: 1 sent
    assert runner.invoke(args=["stats", "no-such-sequence"]).exit_code == 1


def test_the_sequence_page_shows_the_same_numbers(client, db: Session, settings) -> None:
    from campaigns.statuses import Role
    from tests.test_step_editor import sign_in_as

    sequence = seeded(db, settings)
    active_subscriber(db, sequence)
    tick(settings, 0)
    sign_in_as(client, db, Role.VIEWER)
    page = client.get(f"/admin/sequences/{sequence.id}").text
    assert "How each email does" in page
    assert "<tr><td>1</td><td>1</td><td>0 (0.0%)</td>" in page
