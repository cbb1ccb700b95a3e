"""Staff in a real browser: find a person, read their history, suppress them; import a list and watch
it run; download a search; erase a person."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.accounts import create_user
from campaigns.models import ImportRun, Sequence, Subscriber
from campaigns.people.privacy import export_person
from campaigns.settings import Settings
from campaigns.stats import sequence_stats
from campaigns.statuses import ImportStatus, Role, SubscriberStatus
from campaigns.tracking import Hit, record_hits
from tests.browser import chromium, free_port, live_server, screenshot
from tests.conftest import make_settings
from tests.factories import START, active_subscriber, seeded
from tests.people_helpers import csv_text, mixed_rows
from tests.test_tick import tick
from workers.queues import QUEUES, WORKER_CLASS

pytestmark = pytest.mark.browser
PORT = free_port()
PASSWORD = "a long enough password"
RQ = str(Path(sys.executable).parent / "rq")


@pytest.fixture
def settings(database_url: str, redis_url: str, redis, tmp_path: Path) -> Settings:
    return make_settings(
        tmp_path, DATABASE_URL=database_url, REDIS_URL=redis_url, PUBLIC_BASE_URL=f"http://127.0.0.1:{PORT}"
    )


@pytest.fixture
def worker(settings: Settings) -> Iterator[None]:
    """A real `rq worker` process on the test database and Redis."""
    environment = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url or "",
        "SECRET_KEY": settings.secret_key,
        "OUTBOX_DIR": str(settings.outbox_dir),
        "INSTANCE_DIR": str(settings.instance_dir),
        "PUBLIC_BASE_URL": "",
    }
    process = subprocess.Popen(
        [RQ, "worker", "--url", settings.redis_url or "", "--worker-class", WORKER_CLASS, *QUEUES],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield
    process.terminate()
    process.wait(timeout=30)


def sign_in(page, url: str, email: str) -> None:
    page.goto(url + "/admin/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def staff(db: Session, role: Role) -> str:
    email = f"{role}-staff@clinic.example"
    create_user(db, email, role, PASSWORD, datetime.now(UTC))
    db.commit()
    return email


def test_find_a_person_read_their_timeline_and_suppress_them(app, db: Session, settings) -> None:
    sequence = seeded(db, settings)
    ada, _ = active_subscriber(db, sequence)
    for n in range(3):
        active_subscriber(db, sequence, email=f"someone{n}@example.org")
    tick(settings, 0)
    tick(settings, 3)  # the scripted walk: two emails, an open of the first
    from campaigns.models import Send

    first = db.scalars(select(Send).where(Send.subscriber_id == ada.id).order_by(Send.id)).first()
    record_hits(
        db, [Hit(kind="open", send_id=first.id, at=START + timedelta(hours=2), user_agent="Firefox/130")]
    )
    db.commit()
    editor = staff(db, Role.EDITOR)
    with live_server(app, PORT) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(page, url, editor)
        page.get_by_role("link", name="Subscribers").click()
        page.get_by_label("Address or name").fill("ada@")
        page.get_by_role("button", name="Search").click()
        rows = page.locator("#people tbody tr")
        assert rows.count() == 1
        page.get_by_role("link", name="ada@example.com").click()
        timeline = page.locator("#timeline")
        timeline.get_by_text("Enrolled in").wait_for()
        text = timeline.inner_text()
        assert "Email “Welcome, and what these emails will cover”: sent" in text
        assert "Opened “Welcome, and what these emails will cover”" in text
        assert text.index("Enrolled in") < text.index("Opened")
        page.get_by_label("Reason for suppressing").fill("Asked us by phone to stop")
        page.get_by_role("button", name="Suppress this address").click()
        page.get_by_text("On the suppression list: no email of any kind goes to this address.").wait_for()
        assert "subscriber.suppress by " + editor in page.locator("#timeline").inner_text()
        screenshot(page, "person")
    assert sum(tick(settings, day)["sent"] for day in range(4, 30)) > 0  # the others still get theirs
    db.expire_all()
    later = db.scalars(select(Send).where(Send.subscriber_id == ada.id, Send.status == "sent")).all()
    assert len(later) == 2  # nothing more went to Ada after she was suppressed


def test_import_a_thousand_rows_and_watch_the_progress_reach_the_summary(
    app, db: Session, settings, worker, tmp_path
) -> None:
    seeded(db, settings)
    editor = staff(db, Role.EDITOR)
    rows, bad = mixed_rows(1000)
    path = tmp_path / "patients-evening.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    with live_server(app, PORT) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(page, url, editor)
        page.get_by_role("link", name="Imports").click()
        page.get_by_label("A CSV file of people").set_input_files(str(path))
        page.get_by_role("button", name="Upload and map the columns").click()
        assert page.locator("#preview tbody tr").count() == 5
        assert page.get_by_label("email (required)").input_value() == "Email"
        assert page.get_by_label("first name").input_value() == "First name"
        page.get_by_label("Where and how did these people agree").fill(
            "Paper forms at the 2029 patient evening"
        )
        page.get_by_role("button", name="Start the import").click()
        page.locator('#import-progress[data-status="done"]').wait_for(timeout=60_000)
        assert page.locator("#bar").get_attribute("max") == str(len(rows))
        assert page.locator("#bar").evaluate("bar => bar.value") == len(rows)
        assert page.locator('[data-field="imported"]').inner_text() == "1000"
        assert page.locator('[data-field="rejected"]').inner_text() == str(bad)
        screenshot(page, "import")
        with page.expect_download() as download:
            page.get_by_role("link", name="Download the rejected rows").click()
        rejected = list(csv.DictReader(download.value.path().open(encoding="utf-8")))
    assert [r["reason"] for r in rejected][1] == "duplicate in file" and len(rejected) == bad
    db.expire_all()
    assert db.scalars(select(ImportRun)).one().status == ImportStatus.DONE


def test_the_downloaded_csv_is_the_search_on_screen(app, db: Session, settings) -> None:
    sequence = seeded(db, settings)
    for n in range(30):
        person, _ = active_subscriber(
            db, sequence, email=f"p{n:02}@{'gmail.com' if n % 2 else 'example.org'}"
        )
        person.status = SubscriberStatus.PENDING if n % 3 == 0 else person.status
    db.commit()
    viewer = staff(db, Role.VIEWER)
    with live_server(app, PORT) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(page, url, viewer)
        page.goto(url + "/admin/subscribers")
        page.get_by_label("Address or name").fill("gmail")
        page.get_by_label("Status").select_option("active")
        page.get_by_role("button", name="Search").click()
        shown = page.locator("#people tbody tr td:first-child").all_inner_texts()
        with page.expect_download() as download:
            page.get_by_role("link", name="Download this search as CSV").click()
        exported = [r["email"] for r in csv.DictReader(download.value.path().open(encoding="utf-8"))]
    assert exported == shown and len(shown) == 10 and all("gmail" in e for e in shown)


def test_an_admin_erases_a_person_and_nothing_personal_is_left(app, db: Session, settings, runner) -> None:
    sequence = seeded(db, settings)
    ada, _ = active_subscriber(db, sequence)
    tick(settings, 0)
    before = sequence_stats(db, db.scalars(select(Sequence.id)).one())
    admin = staff(db, Role.ADMIN)
    with live_server(app, PORT) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(page, url, admin)
        page.goto(url + f"/admin/subscribers/{ada.id}")
        with page.expect_download() as download:
            page.get_by_role("button", name="Download everything held about this person (JSON)").click()
        assert '"first_name": "Ada"' in download.value.path().read_text()
        page.get_by_role("link", name="Erase this person…").click()
        page.get_by_label("Type the address to confirm").fill("ada@example.com")
        page.get_by_role("button", name="Erase this person").click()
        page.get_by_text("Erased: personal data removed").wait_for()
    db.expire_all()
    assert db.get_one(Subscriber, ada.id).status == SubscriberStatus.ERASED
    assert not export_person(db, "ada@example.com")["found"]
    assert sequence_stats(db, db.scalars(select(Sequence.id)).one()) == before
