"""Subject tests: two subject lines for one step, split evenly and deterministically, then a winner.

Each subscriber gets the same variant of a step every time it is planned (a hash of step and
subscriber), so an email queued twice never changes its subject. Once the marketer picks a
winner, or each variant has reached the marketer's sample size and the engine picks the one
with the higher human click rate, everyone after gets the winner.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.errors import ValidationError
from campaigns.models import StatRollup, Step, StepVersion

VARIANTS = ("a", "b")


def variant_of(step_id: int, subscriber_id: int) -> str:
    """Return the subscriber's variant of a step: "a" or "b", half each, the same every time."""
    digest = hashlib.blake2b(f"{step_id}:{subscriber_id}".encode(), digest_size=8).digest()
    return VARIANTS[digest[0] & 1]


@dataclass
class NewestVersions:
    """The newest published version of some steps, per variant, with any winner picked."""

    rows: dict[int, dict[str, int]]  # step id -> variant -> step version id
    winners: dict[int, str]

    def for_subscriber(self, step_id: int, subscriber_id: int) -> int | None:
        """Return the version id this subscriber gets for the step, or None if it is unpublished."""
        variants = self.rows.get(step_id)
        if not variants:
            return None
        if len(variants) == 1 or "b" not in variants:
            return variants.get("a") or next(iter(variants.values()))
        return variants[self.winners.get(step_id) or variant_of(step_id, subscriber_id)]


def newest_versions(session: Session, step_ids: set[int]) -> NewestVersions:
    """Read the newest version rows of these steps and their winners, deciding tests that are ready."""
    if not step_ids:
        return NewestVersions({}, {})
    newest = (
        select(StepVersion.step_id, func.max(StepVersion.version).label("version"))
        .where(StepVersion.step_id.in_(step_ids))
        .group_by(StepVersion.step_id)
        .subquery()
    )
    rows: dict[int, dict[str, int]] = defaultdict(dict)
    query = select(StepVersion.step_id, StepVersion.variant, StepVersion.id).join(
        newest, (StepVersion.step_id == newest.c.step_id) & (StepVersion.version == newest.c.version)
    )
    for step_id, variant, version_id in session.execute(query):
        rows[step_id][variant] = version_id
    tested = [step_id for step_id, variants in rows.items() if len(variants) > 1]
    winners = {}
    for step in session.scalars(select(Step).where(Step.id.in_(tested))) if tested else ():
        winners[step.id] = step.ab_winner or decide(session, step, rows[step.id]) or ""
    return NewestVersions(dict(rows), {k: v for k, v in winners.items() if v})


def variant_counts(session: Session, version_ids: dict[str, int]) -> dict[str, dict[str, int]]:
    """Return each variant's sends and human clicks so far, from the rollups."""
    counts = {variant: {"sent": 0, "clicked_human": 0} for variant in version_ids}
    by_id = {version_id: variant for variant, version_id in version_ids.items()}
    rows = session.execute(
        select(StatRollup.step_version_id, StatRollup.metric, func.sum(StatRollup.count))
        .where(StatRollup.step_version_id.in_(by_id), StatRollup.metric.in_(("sent", "clicked_human")))
        .group_by(StatRollup.step_version_id, StatRollup.metric)
    )
    for version_id, metric, count in rows:
        counts[by_id[version_id]][metric] = int(count or 0)
    return counts


def decide(session: Session, step: Step, version_ids: dict[str, int]) -> str | None:
    """Pick the winner once each variant reached the sample size: the higher human click rate."""
    if not step.ab_sample_size:
        return None
    counts = variant_counts(session, version_ids)
    if any(counts[v]["sent"] < step.ab_sample_size for v in VARIANTS):
        return None
    rate = {v: counts[v]["clicked_human"] / counts[v]["sent"] for v in VARIANTS}
    step.ab_winner = "b" if rate["b"] > rate["a"] else "a"  # a tie keeps the original
    return step.ab_winner


def pick_winner(step: Step, variant: str, now: datetime) -> None:
    """Send everyone from now on the chosen subject."""
    if variant not in VARIANTS:
        raise ValidationError("Choose subject A or subject B.")
    if not step.subject_b:
        raise ValidationError("This email does not test two subjects.")
    step.ab_winner, step.updated_at = variant, now


def subject_test_counts(session: Session, step: Step) -> dict[str, dict[str, int]]:
    """Return each subject's sends and human clicks in the step's newest published version."""
    rows = newest_versions(session, {step.id}).rows.get(step.id, {})
    return variant_counts(session, rows) if len(rows) > 1 else {}
