"""The audit log: every sign-in and change, filtered by person, action and day, and as CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from campaigns.statuses import Role
from tests.admin_helpers import make_user, sign_in
from tests.conftest import form_client


def test_editors_cannot_read_the_audit_log(client, db: Session) -> None:
    make_user(db, "ed@clinic.example", Role.EDITOR)
    sign_in(client, "ed@clinic.example")
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit.csv").status_code == 403


def test_the_log_filters_by_person_action_and_day_and_exports_csv(client, app, db: Session) -> None:
    boss = make_user(db, "boss@clinic.example", Role.ADMIN)
    make_user(db, "ed@clinic.example", Role.EDITOR)
    other = form_client(app)
    other.environ_base["REMOTE_ADDR"] = "198.51.100.9"
    sign_in(other, "=HYPERLINK(evil)@x.example", "wrong password!")
    sign_in(other, "ed@clinic.example")
    sign_in(client, "boss@clinic.example")
    everything = client.get("/admin/audit").text
    assert everything.count("<td>sign_in</td>") == 2 and "sign_in.failed" in everything
    assert "198.51.100.9" in everything
    mine = client.get(f"/admin/audit?user={boss.id}").text
    assert mine.count("<td>sign_in</td>") == 1 and "ed@clinic.example</td>" not in mine
    failed = client.get("/admin/audit?action=sign_in.failed").text
    assert "(not signed in)" in failed and "<td>sign_in</td>" not in failed
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    assert "Nothing matches." in client.get(f"/admin/audit?since={tomorrow}").text
    assert client.get("/admin/audit?since=yesterday").status_code == 400
    assert client.get("/admin/audit?user=boss").status_code == 400
    exported = client.get("/admin/audit.csv?action=sign_in.failed")
    assert exported.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[0][:3] == ["when (UTC)", "who", "action"]
    assert len(rows) == 2 and rows[1][2] == "sign_in.failed" and rows[1][4] == "198.51.100.9"
    assert rows[1][1].startswith("'=")  # a spreadsheet shows it, never runs it
