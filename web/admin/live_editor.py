"""The editor's live half: as the marketer types, the claims check and both previews follow.

Nothing here saves anything. The findings come back as a fragment for htmx to swap in; the
previews are documents of their own (posted into the two frames), so the email's inline styles
are allowed there and nowhere else in the admin.
"""

from __future__ import annotations

from flask import Response, g, render_template

from campaigns.clinic import sender_for
from campaigns.composing import Content
from campaigns.content_checks import validate_step
from campaigns.step_publishing import review_fields
from campaigns.test_send import preview
from web.admin import bp
from web.admin.access import login_required
from web.admin.step_form import StepForm
from web.admin.steps import find_step
from web.database import get_session, get_settings

PREVIEW_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'self'"
MAX_FIELD = 100_000


def _typed(form: StepForm) -> dict[str, str]:
    """Return the content fields as typed, not saved (the numbers need not be right to preview)."""
    return {name: value[:MAX_FIELD] for name, value in form.content().items()}


@bp.post("/steps/<int:step_id>/live")
@login_required
def live_check(step_id: int):
    """Return the claims check (or the problems) of what is typed, as an HTML fragment."""
    step, settings, form = find_step(step_id), get_settings(), StepForm()
    fields, sender = _typed(form), sender_for(get_session(), settings)
    subject_b = form.subject_b.data[:200].strip() or None
    problems = validate_step(fields, sender)
    findings = (
        []
        if problems
        else review_fields(**fields, subject_b=subject_b, sender=sender, instance_dir=settings.instance_dir)
    )
    return render_template(
        "admin/_findings.html", step=step, findings=findings, problems=problems, live=True, user=g.user
    )


@bp.post("/steps/<int:step_id>/preview")
@login_required
def live_preview(step_id: int):
    """Show what is typed as a sample subscriber would get it (posted into a preview frame)."""
    step = find_step(step_id)
    fields, sender = _typed(StepForm()), sender_for(get_session(), get_settings())
    problems = validate_step(fields, sender)
    if problems:
        page = render_template("admin/preview_problem.html", problems=problems)
        return _framed(Response(page, status=400, mimetype="text/html"))
    content = Content(
        fields["subject"], fields["preheader"], fields["body"], step.sequence.slug, f"step-{step.position}"
    )
    email = preview(sender, content).message()
    return _framed(Response(email.get_body(preferencelist=("html",)).get_content(), mimetype="text/html"))


def _framed(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = PREVIEW_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
