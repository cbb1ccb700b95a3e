"""Confirm pages for what cannot be undone: each asks in plain words, and works without JavaScript.

The button that acts is a POST on the page that asks; the GET that shows the question changes
nothing. Other admin pages reuse `admin/confirm.html` with a title, an explanation, the action's
URL, its button and a way back.
"""

from __future__ import annotations

from flask import abort, g, render_template, url_for

from campaigns.clinic import sender_for
from campaigns.models import Sequence
from campaigns.statuses import Role
from campaigns.step_publishing import review
from web.admin import bp
from web.admin.access import role_required
from web.admin.steps import EDITORS, find_step
from web.database import get_session, get_settings


@bp.get("/sequences/<int:sequence_id>/pause")
@role_required(Role.ADMIN, Role.EDITOR)
def confirm_pause(sequence_id: int):
    """Ask before pausing a sequence."""
    sequence = get_session().get(Sequence, sequence_id)
    if sequence is None:
        abort(404)
    question = {
        "title": f"Pause “{sequence.name}”?",
        "explanation": "Nobody receives its emails while it is paused; nobody loses their place, "
        "and resuming continues where each person left off.",
        "action": url_for("admin.pause_sequence", sequence_id=sequence.id),
        "button": "Pause",
        "back": url_for("admin.dashboard"),
    }
    return render_template("admin/confirm.html", **question)


@bp.get("/steps/<int:step_id>/publish")
@role_required(*EDITORS)
def confirm_publish(step_id: int):
    """Ask before publishing: subscribers get this draft from their next email on."""
    step = find_step(step_id)
    findings = review(step, sender_for(get_session(), get_settings()))
    blockers = [f for f in findings if f.blocks]
    question = {
        "title": f"Publish “{step.subject}”?",
        "explanation": "Everyone due this email from now on receives this draft. "
        + (f"The claims check found {_count(len(findings), 'thing')} to review. " if findings else "")
        + (_blocked_explanation(len(blockers), g.user.role == Role.ADMIN) if blockers else ""),
        "action": url_for("admin.publish_step_view", step_id=step.id),
        "button": "Publish",
        "back": url_for("admin.edit_step", step_id=step.id),
    }
    if blockers and g.user.role == Role.ADMIN:
        question |= {
            "reason_label": "Your reason for publishing anyway (recorded in the audit log)",
            "reason_name": "override_reason",
        }
    return render_template("admin/confirm.html", findings=findings, **question)


def _count(count: int, noun: str) -> str:
    """Say "1 finding" or "3 findings"."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _blocked_explanation(count: int, is_admin: bool) -> str:
    """Say why publishing is blocked, and who may publish anyway."""
    blocked = f"{_count(count, 'finding')} {'blocks' if count == 1 else 'block'} publishing. "
    if is_admin:
        return (
            blocked + "You may publish anyway with a reason of 10 characters or more, kept in the audit log."
        )
    return blocked + "Change the wording, or ask an admin to publish it with a recorded reason."


@bp.get("/steps/<int:step_id>/delete")
@role_required(*EDITORS)
def confirm_delete_step(step_id: int):
    """Ask before deleting a step."""
    step = find_step(step_id)
    question = {
        "title": f"Delete “{step.subject}”?",
        "explanation": "Nobody receives it any more; those about to receive it move on to the next email. "
        "Its figures stay in the history.",
        "action": url_for("admin.delete_step_view", step_id=step.id),
        "button": "Delete this email",
        "back": url_for("admin.edit_step", step_id=step.id),
    }
    return render_template("admin/confirm.html", **question)
