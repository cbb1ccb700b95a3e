"""Sequences, their steps and their numbers; writing a step goes through the admin's own checks."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, g
from sqlalchemy import select

from campaigns.clinic import sender_for
from campaigns.errors import ValidationError
from campaigns.models import AuditLog, Sequence, Step
from campaigns.stats import sequence_stats
from campaigns.step_publishing import Draft, publish, save_draft
from web.api.auth import token_required
from web.api.problems import Problem, ProblemError
from web.api.sequence_schemas import SequenceDetail, SequenceList, SequenceStatsOut, StepIn, StepSaved
from web.api.sequence_views import counts_out, sequence_out, step_out
from web.api.spec import answers, spec
from web.database import get_session, get_settings

bp = Blueprint("sequences", __name__)


def find_sequence(sequence_id: int) -> Sequence:
    """Return the sequence or answer 404."""
    sequence = get_session().get(Sequence, sequence_id)
    if sequence is None:
        raise ProblemError(404, "Not found", f"There is no sequence {sequence_id}.")
    return sequence


@bp.get("/sequences")
@token_required("read")
@spec.validate(resp=answers(HTTP_200=SequenceList), tags=["sequences"])
def list_sequences():
    """List every sequence."""
    rows = get_session().scalars(select(Sequence).order_by(Sequence.id))
    return SequenceList(sequences=[sequence_out(s) for s in rows])


@bp.get("/sequences/<int:sequence_id>")
@token_required("read")
@spec.validate(resp=answers(HTTP_200=SequenceDetail), tags=["sequences"])
def get_sequence(sequence_id: int):
    """Show a sequence with its live steps in order."""
    sequence = find_sequence(sequence_id)
    steps = [step_out(s) for s in sequence.steps if s.deleted_at is None]
    return SequenceDetail(**sequence_out(sequence).model_dump(), steps=steps)


@bp.get("/sequences/<int:sequence_id>/stats")
@token_required("read")
@spec.validate(resp=answers(HTTP_200=SequenceStatsOut), tags=["sequences"])
def get_sequence_stats(sequence_id: int):
    """Show a sequence's numbers in total, per step and per day (from the rollups the dashboard reads)."""
    stats = sequence_stats(get_session(), find_sequence(sequence_id).id)
    median = stats.median_time_to_convert
    return SequenceStatsOut(
        sequence_id=stats.sequence_id,
        name=stats.name,
        total=counts_out(stats.total),
        steps=[
            {
                **counts_out(s.counts).model_dump(),
                "step_id": s.step_id,
                "position": s.position,
                "subject": s.subject,
            }
            for s in stats.steps
        ],
        daily=[{**counts_out(c).model_dump(), "day": day} for day, c in stats.daily.items()],
        median_hours_to_convert=median.total_seconds() / 3600 if median else None,
    )


@bp.put("/sequences/<int:sequence_id>/steps/<int:step_id>")
@token_required("write")
@spec.validate(json=StepIn, resp=answers(HTTP_200=StepSaved, HTTP_409=Problem), tags=["sequences"])
def put_step(sequence_id: int, step_id: int, json: StepIn):
    """Save a step's draft through the editor's checks (sandbox, placeholders); publish it if asked.

    A draft the sandbox or the claims check blocks is refused with each problem named; blocked
    claims need an admin's override in the editor, never through the API.
    """
    db, now, settings = get_session(), datetime.now(UTC), get_settings()
    step = db.get(Step, step_id)
    if step is None or step.sequence_id != find_sequence(sequence_id).id or step.deleted_at is not None:
        raise ProblemError(404, "Not found", f"Sequence {sequence_id} has no step {step_id}.")
    sender = sender_for(db, settings)
    fields = json.model_dump(exclude={"publish"})
    problems = save_draft(step, Draft(**fields), sender, now)
    if problems:
        db.rollback()
        named: dict[str, str] = {}
        for problem in problems:
            named[problem.field] = "; ".join(filter(None, (named.get(problem.field), str(problem))))
        raise ProblemError(400, "The step cannot be saved", "See 'errors'.", named)
    warnings: list[str] = []
    if json.publish:
        try:
            _, findings = publish(db, step, sender, now, None, None, settings.instance_dir)
        except ValidationError as exc:
            db.rollback()
            raise ProblemError(409, "The step cannot be published", str(exc)) from exc
        warnings = [f"{f.rule}: {f.reason}" for f in findings]
    _audit(db, "step.publish" if json.publish else "step.save", step, now)
    db.commit()
    return StepSaved(step=step_out(step), published=json.publish, warnings=warnings)


def _audit(db, action: str, step: Step, now: datetime) -> None:
    db.add(
        AuditLog(
            occurred_at=now,
            user_id=None,
            action=action,
            target=f"step:{step.id}",
            detail={"api_token": g.api_token.id, "api_token_name": g.api_token.name},
        )
    )
