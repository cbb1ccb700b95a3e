"""Sequences through the API: read with their steps and numbers, steps written through the editor's checks."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import select

from campaigns.models import AuditLog, Step, StepVersion
from campaigns.rollups import bump
from tests.api_helpers import bearer, make_token
from tests.factories import seeded


def test_sequences_are_listed_and_shown_with_their_steps(client, db, settings, runner) -> None:
    sequence = seeded(db, settings)
    token = make_token(runner, "read")
    listed = client.get("/api/v1/sequences", headers=bearer(token)).json["sequences"]
    assert [s["slug"] for s in listed] == [sequence.slug]
    shown = client.get(f"/api/v1/sequences/{sequence.id}", headers=bearer(token)).json
    live = [s for s in sequence.steps if s.deleted_at is None]
    assert [s["subject"] for s in shown["steps"]] == [s.subject for s in live]
    assert shown["steps"][0]["published_version"] == 1


def test_an_unknown_sequence_is_a_404_problem(client, db, settings, runner) -> None:
    seeded(db, settings)
    answer = client.get("/api/v1/sequences/999", headers=bearer(make_token(runner, "read")))
    assert answer.status_code == 404 and answer.mimetype == "application/problem+json"
    assert answer.json["status"] == 404 and "999" in answer.json["detail"]


def test_stats_carry_the_totals_steps_and_daily_series(client, db, settings, runner) -> None:
    sequence = seeded(db, settings)
    version = db.scalars(select(StepVersion).order_by(StepVersion.id)).first()
    bump(
        db,
        Counter(
            {(version.id, date(2030, 1, 7), "sent"): 4, (version.id, date(2030, 1, 7), "opened_human"): 2}
        ),
    )
    bump(db, Counter({(version.id, date(2030, 1, 8), "sent"): 1}))
    db.commit()
    stats = client.get(
        f"/api/v1/sequences/{sequence.id}/stats", headers=bearer(make_token(runner, "read"))
    ).json
    assert stats["total"]["sent"] == 5 and stats["total"]["opened_human"] == 2
    assert [(d["day"], d["sent"]) for d in stats["daily"]] == [("2030-01-07", 4), ("2030-01-08", 1)]
    assert stats["daily"][0]["open_rate"] == 0.5
    assert stats["steps"][0]["sent"] == 5


def step_body(**changes):
    body = {
        "subject": "A new subject",
        "body": "Hello {{ first_name | default('there') }}.",
        "delay_minutes": 60,
    }
    return {**body, **changes}


def test_a_write_token_saves_and_publishes_a_step_and_it_is_audited(client, db, settings, runner) -> None:
    sequence = seeded(db, settings)
    step = sequence.steps[0]
    token = make_token(runner, "write")
    answer = client.put(
        f"/api/v1/sequences/{sequence.id}/steps/{step.id}",
        json=step_body(publish=True),
        headers=bearer(token),
    )
    assert answer.status_code == 200 and answer.json["published"] is True
    assert answer.json["step"]["published_version"] == 2
    db.expire_all()
    assert db.get_one(Step, step.id).subject == "A new subject"
    assert db.scalars(select(AuditLog.action)).all() == ["step.publish"]


def test_a_step_the_sandbox_refuses_is_not_saved_and_the_field_is_named(client, db, settings, runner) -> None:
    sequence = seeded(db, settings)
    step = sequence.steps[0]
    before = step.body
    answer = client.put(
        f"/api/v1/sequences/{sequence.id}/steps/{step.id}",
        json=step_body(body="{{ ''.__class__.__mro__ }}"),
        headers=bearer(make_token(runner, "write")),
    )
    assert answer.status_code == 400 and answer.mimetype == "application/problem+json"
    assert [e["field"] for e in answer.json["errors"]] == ["body"]
    db.expire_all()
    assert db.get_one(Step, step.id).body == before


def test_a_bad_step_body_names_each_field_and_a_read_token_may_not_write(
    client, db, settings, runner
) -> None:
    sequence = seeded(db, settings)
    path = f"/api/v1/sequences/{sequence.id}/steps/{sequence.steps[0].id}"
    answer = client.put(
        path,
        json={"subject": "", "delay_minutes": "soon", "extra": 1},
        headers=bearer(make_token(runner, "write")),
    )
    assert answer.status_code == 400
    assert {e["field"] for e in answer.json["errors"]} == {"subject", "delay_minutes", "body", "extra"}
    assert client.put(path, json=step_body(), headers=bearer(make_token(runner, "read"))).status_code == 403
