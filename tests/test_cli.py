"""The operator's commands, run as `flask --app wsgi ...` would run them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.heartbeats import PLANNER, TRACKING_DRAIN, record_success
from campaigns.models import Sequence, Step, StepVersion, User


def test_db_upgrade_can_run_again_on_a_current_database(runner) -> None:
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output


def test_seed_creates_the_default_sequence_and_prints_the_admin_password_once(runner, db: Session) -> None:
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    password = re.search(r"Password:\s+(\S+)", first.output)
    assert password and len(password.group(1)) >= 12
    again = runner.invoke(args=["seed"])
    assert "Password" not in again.output
    assert db.scalar(select(func.count(Sequence.id))) == 1
    assert db.scalar(select(func.count(Step.id))) == 6
    assert db.scalar(select(func.count(StepVersion.id))) == 6
    assert db.scalar(select(func.count(User.id))) == 1


def test_the_seeded_admin_password_signs_in(runner, client) -> None:
    output = runner.invoke(args=["seed"]).output
    password = re.search(r"Password:\s+(\S+)", output).group(1)
    page = client.get("/admin/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/admin/login", data={"email": "admin@clinic.example", "password": password, "csrf_token": token}
    )
    assert response.status_code == 303


def test_create_user_with_each_role(runner, db: Session) -> None:
    for role in ("admin", "editor", "viewer"):
        result = runner.invoke(
            args=[
                "create-user",
                f"{role}@clinic.example",
                "--role",
                role,
                "--password",
                "correct horse battery",
            ]
        )
        assert result.exit_code == 0, result.output
    assert {u.role for u in db.scalars(select(User))} == {"admin", "editor", "viewer"}


def test_create_user_without_a_password_prints_a_generated_one(runner) -> None:
    result = runner.invoke(args=["create-user", "Editor@Clinic.example", "--role", "editor"])
    assert result.exit_code == 0
    assert "editor@clinic.example" in result.output
    assert re.search(r"Password: \S{12,}", result.output)


def test_create_user_refuses_bad_input_with_a_message(runner) -> None:
    cases = {
        ("nobody", "--role", "admin", "--password", "long enough password"): "not an email address",
        ("a@clinic.example", "--role", "admin", "--password", "short"): "at least 12 characters",
        ("a@clinic.example", "--role", "owner"): "'owner' is not one of",
    }
    for args, message in cases.items():
        result = runner.invoke(args=["create-user", *args])
        assert result.exit_code != 0
        assert message in result.output
    runner.invoke(args=["create-user", "a@clinic.example", "--role", "admin", "--password", "long enough pw"])
    again = runner.invoke(args=["create-user", "A@clinic.example", "--role", "admin", "--password", "x" * 12])
    assert again.exit_code != 0 and "already exists" in again.output


def signs_in(runner, email: str, password: str) -> bool:
    client = runner.app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/admin/login").text).group(1)
    response = client.post("/admin/login", data={"email": email, "password": password, "csrf_token": token})
    return response.status_code == 303


def test_set_password_prints_a_random_one_once_and_it_signs_in(runner) -> None:
    runner.invoke(args=["seed"])
    result = runner.invoke(args=["set-password", "Admin@Clinic.example"])
    assert result.exit_code == 0, result.output
    password = re.search(r"Password: (\S{12,})  \(shown once\)", result.output).group(1)
    assert signs_in(runner, "admin@clinic.example", password)


def test_set_password_takes_a_given_password_and_the_old_one_stops_working(runner) -> None:
    old = re.search(r"Password:\s+(\S+)", runner.invoke(args=["seed"]).output).group(1)
    given = "a brand new long password"
    result = runner.invoke(args=["set-password", "admin@clinic.example", "--password", given])
    assert result.exit_code == 0 and "Password:" not in result.output
    assert signs_in(runner, "admin@clinic.example", given)
    assert not signs_in(runner, "admin@clinic.example", old)


def test_set_password_refuses_an_unknown_user_or_a_short_password(runner) -> None:
    runner.invoke(args=["seed"])
    unknown = runner.invoke(args=["set-password", "nobody@clinic.example"])
    assert unknown.exit_code == 1 and "no user has the email nobody@clinic.example" in unknown.output
    short = runner.invoke(args=["set-password", "admin@clinic.example", "--password", "short"])
    assert short.exit_code == 1 and "at least 12 characters" in short.output


def test_tick_on_an_empty_database_prints_zero_counts(runner) -> None:
    result = runner.invoke(args=["tick", "--at", "2030-01-01T10:00:00Z"])
    assert result.exit_code == 0, result.output
    assert "claimed=0 sent=0 skipped=0 failed=0 unknown=0" in result.output


def test_tick_refuses_a_time_it_cannot_read(runner) -> None:
    for value, message in (("next tuesday", "not an ISO-8601 time"), ("2030-01-01T10:00:00", "time zone")):
        result = runner.invoke(args=["tick", "--at", value])
        assert result.exit_code == 2
        assert message in result.output


def test_check_reports_every_part_ok(runner, db: Session) -> None:
    for job in (PLANNER, TRACKING_DRAIN):
        record_success(db, job, datetime.now(UTC))
    db.commit()
    result = runner.invoke(args=["check"])
    assert result.exit_code == 0, result.output
    assert "database: ok" in result.output and "redis: ok" in result.output
