"""A blocking claim stops publishing unless an admin records a reason, and delivery checks again."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import AuditLog, Send, StepVersion
from campaigns.statuses import Role, SendStatus
from tests.factories import active_subscriber, outbox_messages, seeded
from tests.test_step_editor import first_step, form_for, sign_in_as
from tests.test_tick import tick

RISKY = "Hi,\n\nOur stem cell therapy is clinically proven to end your pain.\n"
REASON = "Counsel reviewed this wording on 2026-12-01 for a court-ordered notice."


def test_an_editor_cannot_publish_a_blocking_claim(client, db: Session, settings) -> None:
    seeded(db, settings)
    post = sign_in_as(client, db, Role.EDITOR)
    step = first_step(db)
    assert post(f"/admin/steps/{step.id}", **form_for(step, body=RISKY)).status_code == 303
    page = client.get(f"/admin/steps/{step.id}").text
    assert "Blocks publishing" in page and "“clinically proven”" in page
    refused = post(f"/admin/steps/{step.id}/publish", override_reason=REASON)
    assert refused.status_code == 409 and "evidence" in refused.text
    assert db.scalars(select(StepVersion).where(StepVersion.step_id == step.id)).all()[-1].version == 1


def test_an_admin_publishes_past_a_blocking_claim_with_a_reason_that_is_kept(client, db, settings) -> None:
    seeded(db, settings)
    post = sign_in_as(client, db, Role.ADMIN)
    step = first_step(db)
    post(f"/admin/steps/{step.id}", **form_for(step, body=RISKY))
    assert post(f"/admin/steps/{step.id}/publish").status_code == 409
    assert post(f"/admin/steps/{step.id}/publish", override_reason="too short").status_code == 409
    assert post(f"/admin/steps/{step.id}/publish", override_reason=REASON).status_code == 303
    version = db.scalars(select(StepVersion).where(StepVersion.step_id == step.id)).all()[-1]
    assert version.version == 2 and version.override_reason == REASON
    entry = db.scalars(select(AuditLog).where(AuditLog.action == "step.publish")).one()
    assert entry.detail["override_reason"] == REASON and "evidence" in entry.detail["findings"]
    log = client.get("/admin/audit").text
    assert REASON in log and "step.publish" in log


def test_delivery_refuses_a_blocking_claim_no_admin_allowed(db: Session, settings) -> None:
    sequence = seeded(db, settings)
    active_subscriber(db, sequence)
    version = db.scalars(select(StepVersion).where(StepVersion.step_id == sequence.steps[0].id)).one()
    version.body = RISKY  # written straight into the database, past the editor
    db.commit()
    counts = tick(settings, 0)
    assert counts["failed"] == 1 and counts["sent"] == 0
    send = db.scalars(select(Send)).one()
    db.refresh(send)
    assert send.status == SendStatus.FAILED and "evidence" in send.error and "pain-elimination" in send.error
    assert outbox_messages(settings.outbox_dir) == []


def test_delivery_sends_a_blocking_claim_an_admin_recorded_a_reason_for(db: Session, settings) -> None:
    sequence = seeded(db, settings)
    active_subscriber(db, sequence)
    version = db.scalars(select(StepVersion).where(StepVersion.step_id == sequence.steps[0].id)).one()
    version.body, version.override_reason = RISKY, REASON
    db.commit()
    assert tick(settings, 0)["sent"] == 1
    assert len(outbox_messages(settings.outbox_dir)) == 1


def test_only_an_admin_reads_the_audit_log(client, db, settings) -> None:
    seeded(db, settings)
    sign_in_as(client, db, Role.EDITOR)
    assert client.get("/admin/audit").status_code == 403
