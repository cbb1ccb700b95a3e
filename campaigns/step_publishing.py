"""A marketer's way from draft to published: save (validated), review the claims, publish."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from campaigns.claims import Finding, check_claims, default_rules
from campaigns.claims.structure import check_structure
from campaigns.composing import Content, Sender, render_step
from campaigns.content_checks import validate_step
from campaigns.errors import ValidationError
from campaigns.models import StepVersion
from campaigns.models.sequences import Step
from campaigns.sequence_editing import publish_step
from campaigns.template_rules import ContentProblem


@dataclass(frozen=True)
class Draft:
    """What a marketer submits for one step."""

    subject: str
    preheader: str
    body: str
    delay_minutes: int
    window_start_hour: int
    window_end_hour: int
    window_weekdays: int

    @property
    def fields(self) -> dict[str, str]:
        """The template fields of the draft."""
        return {"subject": self.subject, "preheader": self.preheader, "body": self.body}


def schedule_problems(draft: Draft) -> list[ContentProblem]:
    """Check the delay and send window."""
    problems = []
    if not 0 <= draft.delay_minutes <= 365 * 24 * 60:
        problems.append(ContentProblem("delay", 0, "must be between 0 and 365 days"))
    if not 0 <= draft.window_start_hour < draft.window_end_hour <= 24:
        problems.append(ContentProblem("window", 0, "must start before it ends, between 0:00 and 24:00"))
    if not 0 < draft.window_weekdays < 128:
        problems.append(ContentProblem("window", 0, "must allow at least one weekday"))
    return problems


def save_draft(step: Step, draft: Draft, sender: Sender, now: datetime) -> list[ContentProblem]:
    """Save the draft if it is valid; otherwise change nothing and return the problems."""
    problems = schedule_problems(draft) + validate_step(draft.fields, sender)
    if problems:
        return problems
    step.subject, step.preheader, step.body = draft.subject, draft.preheader, draft.body
    step.delay_minutes = draft.delay_minutes
    step.window_start_hour, step.window_end_hour = draft.window_start_hour, draft.window_end_hour
    step.window_weekdays, step.updated_at = draft.window_weekdays, now
    return []


def review(step: Step, sender: Sender, instance_dir: Path | None = None) -> list[Finding]:
    """Return the claims findings and structural blockers for the step's draft."""
    findings = check_claims(step.subject, step.preheader, step.body, default_rules(instance_dir))
    content = Content(step.subject, step.preheader, step.body)
    email = render_step(sender, content, has_first_name=True).email
    return findings + check_structure(email, sender.postal_address)


def publish(
    session: Session,
    step: Step,
    sender: Sender,
    now: datetime,
    user_id: int | None,
    override_reason: str | None = None,
    instance_dir: Path | None = None,
) -> tuple[StepVersion, list[Finding]]:
    """Publish the draft as a new version; blockers need an admin's reason, kept with the version.

    The caller passes `override_reason` only for an admin: an editor cannot publish past a blocker.
    """
    problems = validate_step(
        {"subject": step.subject, "preheader": step.preheader, "body": step.body}, sender
    )
    if problems:
        raise ValidationError(f"the draft cannot be published: {problems[0]}")
    findings = review(step, sender, instance_dir)
    blockers = [f for f in findings if f.blocks]
    reason = (override_reason or "").strip()
    if blockers and len(reason) < 10:
        raise ValidationError(
            "publishing needs an admin's reason (10 characters or more) for: "
            + ", ".join(sorted({f.rule for f in blockers}))
        )
    version = publish_step(session, step, sender.fallback_zone, now, user_id)
    version.override_reason = reason if blockers else None
    return version, findings
