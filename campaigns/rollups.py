"""Running counts for the dashboard, bumped as things happen, so reading stats never scans events."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from campaigns.models import LinkRollup, SequenceRollup, StatRollup

METRICS = (
    "sent", "delivered", "bounced", "dropped", "opened", "opened_human", "clicked", "clicked_human",
    "unsubscribed", "complained", "converted",
)  # fmt: skip


def _insert(session: Session):  # type: ignore[no-untyped-def]
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def bump(session: Session, counts: Counter[tuple[int, date, str]]) -> None:
    """Add `counts` (by step version, day and metric) to the rollups, safely under concurrency."""
    _add_counts(session, StatRollup, "step_version_id", counts)


def _add_counts(
    session: Session,
    model: type[StatRollup] | type[SequenceRollup],
    key: str,
    counts: Counter[tuple[int, date, str]],
) -> None:
    """Upsert (key, day, metric) counts into a rollup table, adding to what is there."""
    rows = [{key: k, "day": d, "metric": m, "count": n} for (k, d, m), n in counts.items() if n]
    if not rows:
        return
    statement = _insert(session)(model)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[key, "day", "metric"], set_={"count": model.count + statement.excluded.count}
        ),
        rows,
    )


def bump_links(session: Session, clicks: Counter[int], human: Counter[int]) -> None:
    """Add click counts per link."""
    rows = [{"link_id": link, "clicks": clicks[link], "human_clicks": human[link]} for link in clicks]
    if not rows:
        return
    statement = _insert(session)(LinkRollup)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["link_id"],
            set_={
                "clicks": LinkRollup.clicks + statement.excluded.clicks,
                "human_clicks": LinkRollup.human_clicks + statement.excluded.human_clicks,
            },
        ),
        rows,
    )


def bump_sequence(session: Session, counts: Counter[tuple[int, date, str]]) -> None:
    """Add signups and confirmations (by sequence, day and metric) to the sequence rollups."""
    _add_counts(session, SequenceRollup, "sequence_id", counts)
