"""Turn sequences, steps and stats into the API's answers."""

from __future__ import annotations

from campaigns.models import Sequence, Step
from campaigns.stats import Counts
from web.api.sequence_schemas import CountsOut, SequenceOut, StepOut

COUNTED = ("sent", "delivered", "bounced", "opened", "opened_human", "clicked", "clicked_human",
           "unsubscribed", "complained", "converted")  # fmt: skip


def sequence_out(sequence: Sequence) -> SequenceOut:
    """Describe a sequence."""
    return SequenceOut(
        id=sequence.id,
        name=sequence.name,
        slug=sequence.slug,
        status=sequence.status,
        is_default=sequence.is_default,
        updated_at=sequence.updated_at,
    )


def step_out(step: Step) -> StepOut:
    """Describe a step with its draft and the version sent now."""
    return StepOut(
        id=step.id,
        position=step.position,
        delay_minutes=step.delay_minutes,
        window_start_hour=step.window_start_hour,
        window_end_hour=step.window_end_hour,
        window_weekdays=step.window_weekdays,
        subject=step.subject,
        preheader=step.preheader,
        body=step.body,
        published_version=step.versions[-1].version if step.versions else None,
    )


def counts_out(counts: Counts) -> CountsOut:
    """Give the counts with the rates marketers read."""
    return CountsOut(
        **{metric: counts[metric] for metric in COUNTED},
        open_rate=counts.rate("opened_human"),
        click_rate=counts.rate("clicked_human"),
    )
