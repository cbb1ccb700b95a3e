"""The suppression list in the admin: search by reason and address, add by hand, remove with a reason."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, flash, g, redirect, render_template, request, url_for

from campaigns.errors import ValidationError
from campaigns.models import Suppression
from campaigns.people import suppressions
from campaigns.statuses import SuppressionReason
from web.admin import bp
from web.admin.people_access import actor_id, acts, admin_acts, reads, refuse
from web.database import get_session


@bp.get("/suppressions")
@reads
def suppression_list():
    """List the suppression list, newest first, by reason and part of an address."""
    reason, text = request.args.get("reason", "")[:40], request.args.get("q", "")[:300]
    raw_after = request.args.get("after", "")
    if raw_after and (not raw_after.isdigit() or len(raw_after) > 18):
        abort(400, description="That page link is malformed.")
    try:
        statement = suppressions.listing(reason, text)
    except ValidationError as exc:
        refuse(exc)
    rows, next_after = suppressions.page_of(get_session(), statement, int(raw_after) if raw_after else None)
    return render_template(
        "admin/suppressions.html",
        rows=rows,
        next_after=next_after,
        reason=reason,
        q=text,
        reasons=[r.value for r in SuppressionReason],
        user=g.user,
    )


@bp.post("/suppressions")
@acts
def add_suppressions():
    """Suppress the addresses pasted in, one per line or separated by commas."""
    db = get_session()
    try:
        added = suppressions.add_pasted(
            db,
            request.form.get("addresses", "")[:400_000],
            request.form.get("reason", "")[:1000],
            actor_id(),
            datetime.now(UTC),
        )
    except ValidationError as exc:
        refuse(exc)
    db.commit()
    message = f"Added {added.added} to the suppression list."
    if added.already:
        message += f" {len(added.already)} were on it already."
    if added.invalid:
        message += f" Not email addresses, skipped: {', '.join(added.invalid[:20])}."
    flash(message)
    return redirect(url_for("admin.suppression_list"), code=303)


@bp.post("/suppressions/<int:suppression_id>/remove")
@admin_acts
def remove_suppression(suppression_id: int):
    """Take one address off the list, with a reason; its owner must confirm again before any email."""
    db = get_session()
    suppression = db.get(Suppression, suppression_id)
    if suppression is None:
        abort(404)
    try:
        suppressions.remove(
            db, suppression, request.form.get("reason", "")[:1000], actor_id(), datetime.now(UTC)
        )
    except ValidationError as exc:
        refuse(exc)
    db.commit()
    flash("Removed from the suppression list. Nothing is sent until the person signs up and confirms again.")
    return redirect(url_for("admin.suppression_list"), code=303)
