"""The step editor: edit a draft, preview it, send a test, and publish it past the claims check."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, abort, flash, g, redirect, render_template, request, url_for

from campaigns.clinic import sender_for
from campaigns.composing import content_for
from campaigns.errors import ValidationError
from campaigns.models import Sequence, Step
from campaigns.sequence_editing import StepDraft, delete_step, insert_step
from campaigns.sequences.subject_tests import subject_test_counts
from campaigns.stats import sequence_stats
from campaigns.statuses import Role
from campaigns.step_publishing import publish, review, save_draft
from campaigns.template_rules import CONTENT_VARIABLES, ContentProblem
from campaigns.test_send import preview
from web.admin import bp
from web.admin.access import audit, login_required, role_required
from web.admin.step_form import WEEKDAYS, StepForm
from web.database import get_session, get_settings
from web.queueing import enqueue_soon

EDITORS = (Role.ADMIN, Role.EDITOR)


def find_step(step_id: int) -> Step:
    step = get_session().get(Step, step_id)
    if step is None or step.deleted_at is not None:
        abort(404)
    return step


@bp.get("/sequences/<int:sequence_id>")
@login_required
def sequence(sequence_id: int):
    """Show a sequence's steps, with links to edit each."""
    found = get_session().get(Sequence, sequence_id)
    if found is None:
        abort(404)
    stats = sequence_stats(get_session(), found.id)
    return render_template("admin/sequence.html", sequence=found, stats=stats, user=g.user)


@bp.post("/sequences/<int:sequence_id>/steps")
@role_required(*EDITORS)
def add_step(sequence_id: int):
    """Insert a new draft step after the last one (or at a given position)."""
    db, now = get_session(), datetime.now(UTC)
    found = db.get(Sequence, sequence_id)
    if found is None:
        abort(404)
    live = [s for s in found.steps if s.deleted_at is None]
    position = _int_field("position", 1, len(live) + 1, default=len(live) + 1)
    draft = StepDraft("A new email", 'Hi {{ first_name | default("there") }},\n\nWrite here.\n', 3 * 24 * 60)
    step = insert_step(db, found, position, draft, now)
    audit("step.add", f"step:{step.id}", now, position=position)
    db.commit()
    flash(
        f"A new draft email was added as number {position}; nobody receives it until it is published.", "info"
    )
    return redirect(url_for("admin.edit_step", step_id=step.id), code=303)


@bp.get("/steps/<int:step_id>")
@login_required
def edit_step(step_id: int):
    """Show the editor with the draft, its claims findings and its previews."""
    step = find_step(step_id)
    return _editor(step, findings=review(step, sender_for(get_session(), get_settings())))


def _editor(step: Step, findings=(), problems: list[ContentProblem] | None = None, values=None, status=200):
    context = {
        "step": step,
        "values": values or _values_of(step),
        "findings": findings,
        "problems": problems or [],
        "weekdays": WEEKDAYS,
        "user": g.user,
        "published": step.published,
        "variants": subject_test_counts(get_session(), step),
        "variables": CONTENT_VARIABLES,
    }
    return render_template("admin/step.html", **context), status


def _values_of(step: Step) -> dict[str, object]:
    return {
        "subject": step.subject,
        "subject_b": step.subject_b or "",
        "ab_sample_size": step.ab_sample_size or "",
        "preheader": step.preheader,
        "body": step.body,
        "delay_days": step.delay_minutes // 1440,
        "delay_hours": step.delay_minutes % 1440 // 60,
        "window_start_hour": step.window_start_hour,
        "window_end_hour": step.window_end_hour,
        "weekdays": [d for d in range(7) if step.window_weekdays >> d & 1],
    }


def _int_field(name: str, low: int, high: int, default: int | None = None) -> int:
    raw = request.form.get(name, "").strip()
    if not raw and default is not None:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 4) or not low <= int(raw) <= high:
        abort(400, description=f"{name.replace('_', ' ')} must be a whole number from {low} to {high}.")
    return int(raw)


@bp.post("/steps/<int:step_id>")
@role_required(*EDITORS)
def save_step(step_id: int):
    """Save the draft; on a problem, show it at its line and keep what was typed."""
    step, db, now = find_step(step_id), get_session(), datetime.now(UTC)
    form = StepForm()
    if not form.validate():
        return _editor(step, problems=form.problems(), values=form.values(), status=400)
    problems = save_draft(step, form.draft(), sender_for(db, get_settings()), now)
    if problems:
        db.rollback()
        return _editor(step, problems=problems, values=form.values(), status=400)
    audit("step.save", f"step:{step.id}", now)
    db.commit()
    flash("Draft saved. Subscribers still get the published version until you publish this one.", "info")
    return redirect(url_for("admin.edit_step", step_id=step.id), code=303)


@bp.get("/steps/<int:step_id>/preview")
@login_required
def preview_step(step_id: int):
    """Show the draft's HTML as a sample subscriber would see it (framed by the editor)."""
    step = find_step(step_id)
    email = preview(sender_for(get_session(), get_settings()), content_for(step)).message()
    html = email.get_body(preferencelist=("html",)).get_content()
    response = Response(html, mimetype="text/html")
    # The email's own inline styles, and nothing else; framed only by the admin itself.
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'self'"
    )
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.post("/steps/<int:step_id>/test")
@role_required(*EDITORS)
def send_step_test(step_id: int):
    """Send the signed-in user a test of the draft."""
    step = find_step(step_id)
    if enqueue_soon("workers.jobs.send_test_email", step.id, g.user.email):
        flash(f"A test of this draft is on its way to {g.user.email}.", "info")
    else:
        flash("The test could not be queued: background work is unavailable. Try again shortly.", "error")
    return redirect(url_for("admin.edit_step", step_id=step.id), code=303)


@bp.post("/steps/<int:step_id>/publish")
@role_required(*EDITORS)
def publish_step_view(step_id: int):
    """Publish the draft; structural blockers need an admin's recorded reason."""
    step, db, now = find_step(step_id), get_session(), datetime.now(UTC)
    reason = request.form.get("override_reason", "")[:500] if g.user.role == Role.ADMIN else None
    settings = get_settings()
    sender = sender_for(db, settings)
    try:
        version, findings = publish(db, step, sender, now, g.user.id, reason, settings.instance_dir)
    except ValidationError as exc:
        db.rollback()
        return _editor(
            step, findings=review(step, sender), problems=[ContentProblem("publish", 0, str(exc))], status=409
        )
    audit(
        "step.publish",
        f"step:{step.id}",
        now,
        version=version.version,
        findings=sorted({f.rule for f in findings}),
        override_reason=reason or None,
    )
    db.commit()
    flash(f"Published as version {version.version}. The next emails of this step use it.", "info")
    return redirect(url_for("admin.edit_step", step_id=step.id), code=303)


@bp.post("/steps/<int:step_id>/delete")
@role_required(*EDITORS)
def delete_step_view(step_id: int):
    """Delete a step; those about to receive it move on to the next."""
    step, db, now = find_step(step_id), get_session(), datetime.now(UTC)
    delete_step(db, step, sender_for(db, get_settings()).fallback_zone, now)
    audit("step.delete", f"step:{step.id}", now)
    db.commit()
    flash(f"“{step.subject}” was deleted; those about to receive it move on to the next email.", "info")
    return redirect(url_for("admin.sequence", sequence_id=step.sequence_id), code=303)
