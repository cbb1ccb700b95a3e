"""Make a sequence (from scratch or as a copy), change its name, text and address, start or archive it."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from campaigns.errors import ValidationError
from campaigns.models import Sequence
from campaigns.sequences.catalog import (
    change_status,
    create_sequence,
    duplicate_sequence,
    problems_with,
    update_details,
)
from campaigns.statuses import Role, SequenceStatus
from web.admin import bp
from web.admin.access import audit, role_required
from web.admin.sequence_forms import NewSequenceForm, SequenceForm
from web.database import get_session

EDITORS = (Role.ADMIN, Role.EDITOR)
FIELDS = ("name", "slug", "description", "landing_heading", "landing_text")


def find_sequence(sequence_id: int) -> Sequence:
    """Return the sequence or answer 404."""
    found = get_session().get(Sequence, sequence_id)
    if found is None:
        abort(404)
    return found


def _all_sequences() -> list[Sequence]:
    return list(get_session().scalars(select(Sequence).order_by(Sequence.name)))


@bp.get("/sequences/new")
@role_required(*EDITORS)
def new_sequence():
    """Show the form for a new sequence, empty or copied from another."""
    source = request.args.get("from", "")
    return render_template(
        "admin/sequence_form.html",
        values={"source": source},
        sources=_all_sequences(),
        errors={},
        user=g.user,
    )


@bp.post("/sequences/new")
@role_required(*EDITORS)
def create_sequence_view():
    """Create the sequence as a draft; a copy brings every step's draft along."""
    db, now, form = get_session(), datetime.now(UTC), NewSequenceForm()
    form.validate()
    details, raw_source = form.details(), (form.source.data or "")[:20]
    source = db.get(Sequence, int(raw_source)) if raw_source.isdigit() else None
    errors = {**problems_with(db, details), **form.problems()}
    if raw_source and source is None:
        errors["source"] = "Choose a sequence to copy, or none."
    if errors:
        values = {**details.__dict__, "source": raw_source}
        context = {"values": values, "sources": _all_sequences(), "errors": errors, "user": g.user}
        return render_template("admin/sequence_form.html", **context), 400
    made = duplicate_sequence(db, source, details, now) if source else create_sequence(db, details, now)
    audit("sequence.create", f"sequence:{made.id}", now, copied_from=source.id if source else None)
    db.commit()
    return redirect(url_for("admin.sequence", sequence_id=made.id), code=303)


@bp.get("/sequences/<int:sequence_id>/settings")
@role_required(*EDITORS)
def sequence_settings(sequence_id: int):
    """Show the sequence's name, description, page text and address for editing."""
    found = find_sequence(sequence_id)
    values = {name: getattr(found, name) for name in FIELDS}
    return render_template(
        "admin/sequence_settings.html", sequence=found, values=values, errors={}, user=g.user
    )


@bp.post("/sequences/<int:sequence_id>/settings")
@role_required(*EDITORS)
def save_sequence_settings(sequence_id: int):
    """Save the details, or show the form again with what needs fixing."""
    db, now, found = get_session(), datetime.now(UTC), find_sequence(sequence_id)
    form = SequenceForm()
    form.validate()
    details = form.details()
    errors = {**problems_with(db, details, found.id), **form.problems()}
    if errors:
        context = {"sequence": found, "values": details.__dict__, "errors": errors, "user": g.user}
        return render_template("admin/sequence_settings.html", **context), 400
    update_details(db, found, details, now)
    audit("sequence.update", f"sequence:{found.id}", now)
    db.commit()
    flash("Settings saved.", "info")
    return redirect(url_for("admin.sequence", sequence_id=found.id), code=303)


@bp.post("/sequences/<int:sequence_id>/start")
@role_required(*EDITORS)
def start_sequence(sequence_id: int):
    """Start a draft sequence: its page takes signups and its published emails send."""
    return _move(sequence_id, SequenceStatus.ACTIVE, "started: its page takes signups and its emails send")


@bp.get("/sequences/<int:sequence_id>/archive")
@role_required(*EDITORS)
def confirm_archive(sequence_id: int):
    """Ask before archiving: it cannot be undone."""
    found = find_sequence(sequence_id)
    question = {
        "title": f"Archive “{found.name}”?",
        "explanation": "Its page stops taking signups and nobody in it is mailed again; its numbers stay. "
        "An archived sequence cannot be started again: duplicate it instead.",
        "action": url_for("admin.archive_sequence", sequence_id=found.id),
        "button": "Archive",
        "back": url_for("admin.sequence", sequence_id=found.id),
    }
    return render_template("admin/confirm.html", user=g.user, **question)


@bp.post("/sequences/<int:sequence_id>/archive")
@role_required(*EDITORS)
def archive_sequence(sequence_id: int):
    """Archive a sequence: no signups, no sends; its numbers stay."""
    return _move(sequence_id, SequenceStatus.ARCHIVED, "archived: nobody in it is mailed again")


def _move(sequence_id: int, status: SequenceStatus, done: str):
    db, now, found = get_session(), datetime.now(UTC), find_sequence(sequence_id)
    try:
        change_status(db, found, status, now)
    except ValidationError as exc:
        abort(409, description=str(exc))
    audit(f"sequence.{status}", f"sequence:{found.id}", now)
    db.commit()
    flash(f"\u201c{found.name}\u201d is {done}.", "info")
    return redirect(url_for("admin.sequence", sequence_id=found.id), code=303)
