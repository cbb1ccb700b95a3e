"""The stats page: its funnel agrees with `flask stats`, its chart has a table, its CSV the same numbers."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.conversions import Booking, record_conversion
from campaigns.models import ConsentRecord, Link, Send
from campaigns.statuses import Role
from campaigns.tracking import Hit, record_hits
from tests.factories import START, seeded
from tests.test_sequence_changes import tick
from tests.test_sequences import press_confirm
from tests.test_stats import HUMAN
from tests.test_step_editor import sign_in_as


def walk(client, db: Session, settings, run_jobs):
    """Four sign up, three confirm, all get email 1; opens (one by Apple's proxy), a click, a booking."""
    sequence = seeded(db, settings)
    for n in range(4):
        client.post("/subscribe", json={"email": f"reader{n}@example.com", "consent": True})
    run_jobs()
    for record in db.scalars(select(ConsentRecord).order_by(ConsentRecord.id)).all()[:3]:
        press_confirm(db, record, settings)
    db.commit()
    tick(settings, 0.01)
    sends = db.scalars(select(Send).order_by(Send.id)).all()
    link = db.scalars(select(Link)).first()
    later = START + timedelta(hours=2)
    hits = [
        Hit("open", sends[0].id, later, user_agent=HUMAN),
        Hit("open", sends[1].id, later, user_agent="Mozilla/5.0"),
    ]
    hits.append(Hit("click", sends[0].id, later, link.id, HUMAN))
    record_hits(db, hits)
    record_conversion(db, Booking(email=sends[0].subscriber.email, source="form"), later)
    db.commit()
    return sequence


def cell(page: str, stage: str) -> int:
    return int(re.search(rf'data-stage="{re.escape(stage)}">(\d+)<', page).group(1))


def test_the_funnel_matches_the_stats_command(client, runner, db: Session, settings, run_jobs) -> None:
    sequence = walk(client, db, settings, run_jobs)
    sign_in_as(client, db, Role.VIEWER)
    page = client.get(f"/admin/sequences/{sequence.id}/stats").text
    line = next(row for row in runner.invoke(args=["stats"]).output.splitlines() if row.split()[:1] == ["1"])
    _, sent, delivered, _, opens_human, _, opens_all, _, clicks_human, *_ = line.split()
    assert cell(page, "Email 1: sent") == int(sent) == 3
    assert cell(page, "Email 1: delivered") == int(delivered)
    assert cell(page, "Email 1: human opens") == int(opens_human) == 1
    assert int(opens_all) == 2  # the proxy's open counts only among all opens
    assert cell(page, "Email 1: human clicks") == int(clicks_human) == 1
    assert (cell(page, "Signed up"), cell(page, "Confirmed")) == (4, 3)
    assert cell(page, "Booked a consultation") == 1
    assert "Apple Mail Privacy Protection" in page


def test_delivered_is_explained_without_delivery_reports(app, client, db: Session, settings) -> None:
    sequence = seeded(db, settings)
    sign_in_as(client, db, Role.VIEWER)
    page = client.get(f"/admin/sequences/{sequence.id}/stats").text
    assert "Delivered stays at 0 here" in page  # the outbox gets no delivery reports
    app.extensions["nurture"]["settings"] = replace(settings, email_backend="sendgrid")
    assert "Delivered stays at 0" not in client.get(f"/admin/sequences/{sequence.id}/stats").text


def test_the_chart_is_svg_with_its_numbers_in_a_table(client, db: Session, settings) -> None:
    sequence = seeded(db, settings)
    sign_in_as(client, db, Role.VIEWER)
    page = client.get(f"/admin/sequences/{sequence.id}/stats?days=90").text
    assert page.count("<polyline") == 5 and 'role="img"' in page
    assert len(re.findall(r'<tr><th scope="row">\d{4}-\d\d-\d\d</th>', page)) == 90
    assert client.get(f"/admin/sequences/{sequence.id}/stats?days=7").status_code == 400
    assert client.get("/admin/sequences/999/stats").status_code == 404


def test_the_csv_has_the_same_numbers(client, db: Session, settings, run_jobs) -> None:
    sequence = walk(client, db, settings, run_jobs)
    sign_in_as(client, db, Role.VIEWER)
    response = client.get(f"/admin/sequences/{sequence.id}/stats.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.text)))
    funnel = {row[1]: int(row[2]) for row in rows if row[0] == "funnel"}
    assert funnel["Email 1: sent"] == 3 and funnel["Confirmed"] == 3 and funnel["Booked a consultation"] == 1
    versions = [row for row in rows if row[0] == "versions" and row[1] == "1"]
    assert versions[0][2:5] == ["1", "a", "3"]
