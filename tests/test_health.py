"""`/healthz` tells a load balancer whether the engine can work, and names what is down."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from campaigns.db import make_session_factory
from campaigns.heartbeats import PLANNER, TRACKING_DRAIN, job_health, record_success
from campaigns.statuses import Role
from tests.conftest import engine_for, make_settings
from tests.factories import seeded
from tests.test_admin_sending import signed_in
from web import create_app
from workers.hit_buffer import STREAM
from workers.recurring import run_watched


def test_healthz_is_200_when_database_and_redis_answer(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert {k: response.json[k] for k in ("status", "database", "redis")} == {
        "status": "ok",
        "database": "ok",
        "redis": "ok",
    }


def test_healthz_is_503_naming_redis_when_redis_is_down(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, DATABASE_URL=database_url, REDIS_URL="redis://127.0.0.1:1/0")
    response = create_app(settings).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "down: redis"
    assert response.json["database"] == "ok"
    assert response.json["redis"].startswith("redis unreachable")


def test_healthz_is_503_naming_the_database_when_it_is_down(redis_url: str, tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path, DATABASE_URL="postgresql://nobody@127.0.0.1:1/none", REDIS_URL=redis_url
    )
    response = create_app(settings).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "down: database"
    assert response.json["redis"] == "ok"


def test_healthz_stays_200_but_shows_a_stopped_drain_and_its_growing_backlog(client, db, redis) -> None:
    now = datetime.now(UTC)
    record_success(db, PLANNER, now - timedelta(seconds=20))
    record_success(db, TRACKING_DRAIN, now - timedelta(minutes=12))
    db.commit()
    stuck_since_ms = int((now - timedelta(minutes=11)).timestamp() * 1000)
    redis.xadd(STREAM, {"h": ""}, id=f"{stuck_since_ms}-0")
    redis.xadd(STREAM, {"h": ""})
    response = client.get("/healthz")
    assert response.status_code == 200, "a load balancer must not pull the web node for a dead cron"
    background = response.json["background"]
    assert background["planner"]["status"] == "ok"
    assert 15 <= background["planner"]["last_success_age_s"] <= 60
    assert background["tracking_drain"]["status"] == "stale"
    assert 700 <= background["tracking_drain"]["last_success_age_s"] <= 760
    assert background["tracking_backlog"]["entries"] == 2
    assert 640 <= background["tracking_backlog"]["oldest_age_s"] <= 700
    assert any("tracking drain has not succeeded for 12 minutes" in p for p in background["problems"])
    assert any("backlog is not draining" in p for p in background["problems"])


def test_check_exits_1_naming_a_stopped_drain_and_0_once_it_runs_again(runner, db) -> None:
    now = datetime.now(UTC)
    record_success(db, PLANNER, now)
    record_success(db, TRACKING_DRAIN, now - timedelta(minutes=6))
    db.commit()
    stopped = runner.invoke(args=["check"])
    assert stopped.exit_code == 1, stopped.output
    assert "background: the tracking drain has not succeeded for 6 minutes" in stopped.output
    record_success(db, TRACKING_DRAIN, now)
    db.commit()
    running = runner.invoke(args=["check"])
    assert running.exit_code == 0, running.output
    assert "background: ok" in running.output


def test_check_names_jobs_that_never_ran(runner) -> None:
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert "background: the planner has never succeeded" in result.output
    assert "background: the tracking drain has never succeeded" in result.output


def test_check_says_the_redis_version_is_new_enough(runner, db) -> None:
    result = runner.invoke(args=["check"])
    assert "redis: ok" in result.output
    assert "too old" not in result.output


def test_the_dashboard_shows_an_alert_while_a_recurring_job_is_stale(client, db, settings) -> None:
    seeded(db, settings)
    record_success(db, PLANNER, datetime.now(UTC) - timedelta(minutes=9))
    record_success(db, TRACKING_DRAIN, datetime.now(UTC))
    db.commit()
    signed_in(client, db, Role.VIEWER)
    page = client.get("/admin/").get_data(as_text=True)
    assert "Background work has stopped" in page
    assert "the planner has not succeeded for 9 minutes" in page


def test_a_failing_recurring_job_logs_one_line_and_is_recorded(
    db, settings, caplog: pytest.LogCaptureFixture
) -> None:
    sessions = make_session_factory(engine_for(settings.database_url))

    def broken() -> int:
        raise ValueError("not enough values to unpack (expected 3, got 2)")

    with caplog.at_level(logging.INFO, logger="nurture"):
        assert run_watched(TRACKING_DRAIN, sessions, broken) == 0
    [line] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert line.getMessage().startswith("tracking drain failed: ValueError: not enough values")
    assert line.exc_info is None, "one line with the reason, not a traceback"
    [health] = [j for j in job_health(db, datetime.now(UTC)) if j.name == TRACKING_DRAIN]
    assert health.error == "ValueError: not enough values to unpack (expected 3, got 2)"
    assert run_watched(TRACKING_DRAIN, sessions, lambda: 4) == 4
    db.expire_all()
    [health] = [j for j in job_health(db, datetime.now(UTC)) if j.name == TRACKING_DRAIN]
    assert health.problem is None
