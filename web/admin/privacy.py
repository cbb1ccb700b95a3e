"""Privacy requests in the admin (admins only, audited): download everything about a person, or erase it."""

from __future__ import annotations

import hmac
import json
from datetime import UTC, datetime

from flask import Response, abort, flash, g, redirect, render_template, request, url_for

from campaigns.models import Subscriber
from campaigns.people.audit import record_action, subscriber_target
from campaigns.people.privacy import erase_person, export_person
from campaigns.statuses import Role, SubscriberStatus
from web.admin import bp
from web.admin.access import role_required
from web.admin.people_access import actor_id, admin_acts
from web.database import get_session, get_settings


def _person(subscriber_id: int) -> Subscriber:
    person = get_session().get(Subscriber, subscriber_id)
    if person is None or person.status == SubscriberStatus.ERASED:
        abort(404)
    return person


@bp.post("/subscribers/<int:subscriber_id>/privacy-export")
@admin_acts
def privacy_export(subscriber_id: int):
    """Download everything held about a person as JSON; the audit log keeps that it was taken."""
    person, db = _person(subscriber_id), get_session()
    data = export_person(db, person.email)
    record_action(db, actor_id(), "privacy.export", subscriber_target(person.id), datetime.now(UTC))
    db.commit()
    response = Response(
        json.dumps(data, indent=2, ensure_ascii=False, default=str), mimetype="application/json"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="subscriber-{person.id}.json"'
    return response


@bp.get("/subscribers/<int:subscriber_id>/erase")
@role_required(Role.ADMIN)
def erase_page(subscriber_id: int):
    """Ask the admin to confirm the erasure by typing the address; change nothing."""
    return render_template("admin/erase.html", person=_person(subscriber_id), user=g.user)


@bp.post("/subscribers/<int:subscriber_id>/erase")
@admin_acts
def erase(subscriber_id: int):
    """Erase a person once the admin typed their address to confirm."""
    person, db = _person(subscriber_id), get_session()
    typed = request.form.get("confirm_email", "")[:320].strip().lower()
    if not hmac.compare_digest(typed.encode(), person.email.encode()):
        message = "Type the person's email address exactly to confirm the erasure."
        return render_template("admin/erase.html", person=person, error=message, user=g.user), 400
    erase_person(db, get_settings().secret_key, person.email, actor_id(), datetime.now(UTC))
    db.commit()
    flash("Erased: personal data removed; the address is kept only as a keyed hash on the suppression list.")
    return redirect(url_for("admin.subscribers"), code=303)
