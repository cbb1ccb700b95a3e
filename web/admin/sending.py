"""Admin actions on sending: pause or resume a sequence, resume sending after a provider outage."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, flash, g, redirect, url_for

from campaigns.alerts import resume_sending
from campaigns.models import Sequence
from campaigns.sequence_editing import set_status
from campaigns.statuses import Role, SequenceStatus
from web.admin import bp
from web.admin.access import audit, role_required
from web.database import get_session


@bp.post("/sequences/<int:sequence_id>/pause")
@role_required(Role.ADMIN, Role.EDITOR)
def pause_sequence(sequence_id: int):
    """Pause a sequence: nobody is mailed, nobody loses their place."""
    return _change_status(sequence_id, SequenceStatus.PAUSED)


@bp.post("/sequences/<int:sequence_id>/resume")
@role_required(Role.ADMIN, Role.EDITOR)
def resume_sequence(sequence_id: int):
    """Resume a paused sequence where everyone left off."""
    return _change_status(sequence_id, SequenceStatus.ACTIVE)


def _change_status(sequence_id: int, status: SequenceStatus):
    db, now = get_session(), datetime.now(UTC)
    sequence = db.get(Sequence, sequence_id)
    if sequence is None:
        abort(404)
    if sequence.status not in (SequenceStatus.ACTIVE, SequenceStatus.PAUSED):
        abort(409, description=f"A {sequence.status} sequence cannot be paused or resumed.")
    set_status(db, sequence, status, now)
    audit(f"sequence.{status}", f"sequence:{sequence.id}", now)
    db.commit()
    done = "paused: nobody receives its emails" if status == SequenceStatus.PAUSED else "sending again"
    flash(f"“{sequence.name}” is {done}.", "info")
    return redirect(url_for("admin.dashboard"), code=303)


@bp.post("/sending/resume")
@role_required(Role.ADMIN)
def resume():
    """Resolve the provider outage and let waiting emails go."""
    db, now = get_session(), datetime.now(UTC)
    waiting = resume_sending(db, g.user.id, now)
    audit("sending.resume", None, now, waiting=waiting)
    db.commit()
    flash(
        f"Sending resumed; {waiting} waiting {'email goes' if waiting == 1 else 'emails go'} out now.", "info"
    )
    return redirect(url_for("admin.dashboard"), code=303)
