"""A step's versions: the list, a diff of any two, restoring one as the draft, and subject test winners."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, flash, g, redirect, render_template, request, url_for

from campaigns.errors import ValidationError
from campaigns.sequences.step_history import diff, history, restore_as_draft, version_of
from campaigns.sequences.subject_tests import pick_winner
from campaigns.statuses import Role
from web.admin import bp
from web.admin.access import audit, login_required, role_required
from web.admin.steps import find_step
from web.database import get_session


def _version_arg(name: str, default: int) -> int:
    raw = request.args.get(name, "")
    if not raw:
        return default
    if not raw.isdigit() or len(raw) > 6:
        abort(400, description=f"{name} must be a version number.")
    return int(raw)


@bp.get("/steps/<int:step_id>/versions")
@login_required
def step_versions(step_id: int):
    """List the step's published versions and show the changes between two of them."""
    step = find_step(step_id)
    versions = history(get_session(), step)
    changes, older, newer = {}, None, None
    if len(versions) >= 2:
        try:
            older = version_of(get_session(), step, _version_arg("from", versions[1].version))
            newer = version_of(get_session(), step, _version_arg("to", versions[0].version))
        except ValidationError as exc:
            abort(404, description=str(exc))
        changes = diff(older, newer)
    context = {"step": step, "versions": versions, "changes": changes, "older": older, "newer": newer}
    return render_template("admin/step_versions.html", user=g.user, **context)


@bp.post("/steps/<int:step_id>/versions/<int:number>/restore")
@role_required(Role.ADMIN, Role.EDITOR)
def restore_version(step_id: int, number: int):
    """Make a published version the draft again; it sends once published."""
    step, db, now = find_step(step_id), get_session(), datetime.now(UTC)
    try:
        restore_as_draft(step, version_of(db, step, number), now)
    except ValidationError as exc:
        abort(404, description=str(exc))
    audit("step.restore", f"step:{step.id}", now, version=number)
    db.commit()
    flash(f"Version {number} is the draft again: publish it to send it.", "info")
    return redirect(url_for("admin.edit_step", step_id=step.id), code=303)


@bp.post("/steps/<int:step_id>/winner")
@role_required(Role.ADMIN, Role.EDITOR)
def choose_winner(step_id: int):
    """Send everyone from now on the chosen subject."""
    step, db, now = find_step(step_id), get_session(), datetime.now(UTC)
    try:
        pick_winner(step, request.form.get("variant", ""), now)
    except ValidationError as exc:
        abort(400, description=str(exc))
    audit("step.winner", f"step:{step.id}", now, variant=step.ab_winner)
    db.commit()
    flash(f"Everyone gets subject {step.ab_winner.upper()} from now on.", "info")
    return redirect(url_for("admin.edit_step", step_id=step.id), code=303)
