"""In Chromium the stats page says what `flask --app wsgi stats` prints, after a walk through three emails."""

from __future__ import annotations

import os
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import Link, Send, Sequence
from campaigns.settings import Settings
from campaigns.statuses import Role
from campaigns.tracking import Hit, record_hits
from tests.admin_helpers import make_user
from tests.browser import chromium, free_port, live_server, screenshot
from tests.conftest import make_settings
from tests.factories import START
from tests.test_admin_in_browser import sign_in
from tests.test_sequence_changes import tick
from tests.test_stats import HUMAN
from tests.test_stats_page import walk

pytestmark = pytest.mark.browser
PORT = free_port()
ROOT = Path(__file__).parent.parent
ADMIN = "stats.admin@clinic.example"


@pytest.fixture
def settings(database_url: str, redis_url: str, redis, tmp_path: Path) -> Settings:
    return make_settings(
        tmp_path, DATABASE_URL=database_url, REDIS_URL=redis_url, PUBLIC_BASE_URL=f"http://127.0.0.1:{PORT}"
    )


def walk_on(client, db: Session, settings: Settings, run_jobs) -> Sequence:
    """Walk email 1 as `walk` does, with a booking; then send emails 2 and 3, opened and clicked."""
    sequence = walk(client, db, settings, run_jobs)
    tick(settings, 3.01)
    second = db.scalars(select(Send).where(Send.step_id == sequence.steps[1].id).order_by(Send.id)).all()
    link = db.scalars(select(Link).where(Link.step_version_id == second[0].step_version_id)).first()
    later = START + timedelta(days=3, hours=2)
    hits = [Hit("open", send.id, later, user_agent=HUMAN) for send in second]
    hits.append(Hit("click", second[0].id, later, link.id, HUMAN))
    hits.append(Hit("click", second[0].id, later, link.id, "Mozilla/5.0"))  # the same person, again
    record_hits(db, hits)
    db.commit()
    tick(settings, 7.01)
    return sequence


def funnel_on_screen(page) -> dict[str, tuple[str, str]]:
    """Read the funnel table as a person sees it: each stage's people and rate."""
    stages = page.locator("table.funnel tbody th").all_inner_texts()
    people = page.locator("table.funnel tbody td:nth-of-type(1)").all_inner_texts()
    rates = page.locator("table.funnel tbody td:nth-of-type(2)").all_inner_texts()
    return {stage: (count, rate) for stage, count, rate in zip(stages, people, rates, strict=True)}


def stats_command(settings: Settings, slug: str) -> dict[str, list[str]]:
    """Run `flask --app wsgi stats SLUG` as an operator would; return each step's cells, and the total's."""
    environ = {**os.environ, "DATABASE_URL": settings.database_url, "SECRET_KEY": settings.secret_key}
    command = [str(ROOT / ".venv/bin/flask"), "--app", "wsgi", "stats", slug]
    done = subprocess.run(command, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    start = next(n for n, line in enumerate(lines) if line.split()[:1] == ["step"]) + 1
    rows = [line.split() for line in lines[start:]]
    end = next(n for n, row in enumerate(rows) if row[0] == "total") + 1  # the clicks per link follow
    return {row[0]: row[1:] for row in rows[:end]}


def test_the_page_shows_the_numbers_the_stats_command_prints(app, client, db: Session, settings, run_jobs):
    sequence = walk_on(client, db, settings, run_jobs)
    make_user(db, ADMIN, Role.ADMIN)
    with live_server(app, PORT) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(page, url, ADMIN)
        page.get_by_role("heading", name="How are we doing?").wait_for()
        page.goto(f"{url}/admin/sequences/{sequence.id}/stats")
        page.get_by_role("heading", name="From signup to booking").wait_for()
        shown = funnel_on_screen(page)
        screenshot(page, "stats-after-a-walk")
    printed = stats_command(settings, sequence.slug)

    for step in sequence.steps:
        n = str(step.position)
        # step sent delivered bounced opens-human % opens-all % clicks-human % clicks-all % CTOR ...
        sent, delivered, _, opens, open_rate, _, _, clicks, click_rate = printed[n][:9]
        assert shown[f"Email {n}: sent"][0] == sent
        assert shown[f"Email {n}: delivered"][0] == delivered
        assert shown[f"Email {n}: human opens"] == (opens, open_rate)
        assert shown[f"Email {n}: human clicks"] == (clicks, click_rate)
    assert shown["Booked a consultation"][0] == printed["total"][-1] == "1"
    assert shown["Signed up"][0] == "4" and shown["Confirmed"] == ("3", "75.0%")
    # The walk itself, so that agreeing on zeros cannot pass: the booking ended one person's emails.
    assert [printed[str(n)][0] for n in (1, 2, 3, 4)] == ["3", "2", "2", "0"]
    assert shown["Email 2: human opens"] == ("2", "100.0%") and shown["Email 2: human clicks"][0] == "1"
    assert shown["Email 1: human clicks"] == ("1", "33.3%")
