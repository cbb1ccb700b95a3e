"""The event feed: a warehouse follows sends, opens, clicks, unsubscribes and bookings with a cursor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from campaigns.db import make_session_factory
from campaigns.models import Send
from campaigns.providers import provider_for
from campaigns.tick import run_tick
from campaigns.tracking import Hit, record_hits
from tests.api_helpers import bearer, make_token
from tests.conftest import engine_for
from tests.factories import active_subscriber, seeded

MONDAY = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)  # a Monday in the past, 09:00 in New York


def follow(client, token, cursor=None, limit=100):
    query = f"?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
    return client.get(f"/api/v1/events{query}", headers=bearer(token)).json


def test_a_warehouse_follows_every_kind_of_event_without_gaps(client, db, settings, runner) -> None:
    sequence = seeded(db, settings, MONDAY)
    ada, _ = active_subscriber(db, sequence, now=MONDAY)
    active_subscriber(db, sequence, email="grace@example.com", now=MONDAY)
    run_tick(
        make_session_factory(engine_for(settings.database_url)), settings, provider_for(settings), MONDAY
    )
    sends = db.scalars(select(Send).order_by(Send.id)).all()
    assert len(sends) == 2
    record_hits(
        db,
        [Hit(kind="open", send_id=sends[0].id, at=MONDAY + timedelta(minutes=5), user_agent="Mozilla/5.0")],
    )
    db.commit()
    reader, writer = make_token(runner, "read"), make_token(runner, "write", "crm")

    first = follow(client, reader, limit=2)
    assert [e["type"] for e in first["events"]] == ["send", "send"] and first["has_more"]
    assert {e["subscriber_id"] for e in first["events"]} == {s.subscriber_id for s in sends}
    second = follow(client, reader, first["next_cursor"])
    assert [e["type"] for e in second["events"]] == ["open"] and not second["has_more"]
    assert second["events"][0]["send_id"] == sends[0].id

    client.post(f"/api/v1/subscribers/{ada.id}/unsubscribe", headers=bearer(writer))
    client.post("/api/v1/conversions", json={"email": "grace@example.com"}, headers=bearer(writer))
    later = follow(client, reader, second["next_cursor"])
    assert sorted(e["type"] for e in later["events"]) == ["booking", "unsubscribe"]
    assert follow(client, reader, later["next_cursor"])["events"] == []
    assert "ada@example.com" not in str(later)


def test_a_forged_or_foreign_cursor_is_refused(client, db, settings, runner) -> None:
    seeded(db, settings)
    token = make_token(runner, "read")
    subscribers_cursor = client.get("/api/v1/subscribers", headers=bearer(token)).json["next_cursor"]
    answer = client.get(f"/api/v1/events?cursor={subscribers_cursor}", headers=bearer(token))
    assert answer.status_code == 400 and answer.json["errors"] == [
        {"field": "cursor", "message": "is not valid"}
    ]
    assert client.get("/api/v1/events?limit=5000", headers=bearer(token)).status_code == 400
    assert client.get("/api/v1/events").status_code == 401
