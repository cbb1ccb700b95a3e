"""Move a step up, down or to any place (the buttons and drag and drop post here), or duplicate it."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, flash, redirect, request, url_for

from campaigns.clinic import sender_for
from campaigns.errors import ValidationError
from campaigns.sequences.step_order import duplicate_step, move_step
from campaigns.statuses import Role
from web.admin import bp
from web.admin.access import audit, role_required
from web.admin.steps import find_step
from web.database import get_session, get_settings


@bp.post("/steps/<int:step_id>/move")
@role_required(Role.ADMIN, Role.EDITOR)
def move_step_view(step_id: int):
    """Move the step to the place posted in `to` (1 = first); everyone keeps their place."""
    step, db, now = find_step(step_id), get_session(), datetime.now(UTC)
    raw = request.form.get("to", "").strip()
    if not raw.isdigit() or len(raw) > 4:
        abort(400, description="The new place must be a whole number.")
    try:
        move_step(db, step, int(raw), sender_for(db, get_settings()).fallback_zone, now)
    except ValidationError as exc:
        abort(400, description=str(exc))
    audit("step.move", f"step:{step.id}", now, to=int(raw))
    db.commit()
    flash(f"Moved to place {int(raw)}; everyone keeps their place in the sequence.", "info")
    return redirect(
        url_for("admin.sequence", sequence_id=step.sequence_id, _anchor=f"step-{step.id}"), code=303
    )


@bp.post("/steps/<int:step_id>/duplicate")
@role_required(Role.ADMIN, Role.EDITOR)
def duplicate_step_view(step_id: int):
    """Insert an unpublished copy of the step right after it, and open it."""
    step, db, now = find_step(step_id), get_session(), datetime.now(UTC)
    copy = duplicate_step(db, step, now)
    audit("step.duplicate", f"step:{copy.id}", now, copied_from=step.id)
    db.commit()
    return redirect(url_for("admin.edit_step", step_id=copy.id), code=303)
