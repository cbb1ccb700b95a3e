"""`flask --app wsgi tick`: run the planner and delivery at a moment, or at each moment of a walk.

`--at` is the catch-up tool; `--from`, `--to` and `--every` walk a test subscriber through weeks
of a sequence in one process, in seconds.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import click
from flask import Flask
from flask.cli import with_appcontext

from campaigns.providers import provider_for
from campaigns.tick import OUTCOMES, run_tick
from web.database import get_sessions, get_settings


def parse_moment(value: str | None) -> datetime:
    """Parse an ISO-8601 time with a zone, or return now."""
    if value is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not an ISO-8601 time such as 2030-01-01T10:00:00Z") from exc
    if moment.tzinfo is None:
        raise click.BadParameter("give a time zone, for example 2030-01-01T10:00:00Z")
    return moment.astimezone(UTC)


MAX_MOMENTS = 100_000
"""The most moments one walk through time may visit: over eleven years at one an hour."""


def parse_every(value: str) -> timedelta:
    """Parse a step such as 90s, 30m, 1h or 1d."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    number, unit = value[:-1], value[-1:].lower()
    if unit not in units or not number.isdigit() or int(number) == 0 or len(number) > 6:
        raise click.BadParameter(f"{value!r} is not a step such as 90s, 30m, 1h or 1d", param_hint="--every")
    return timedelta(seconds=int(number) * units[unit])


def moments(start: datetime, end: datetime, every: timedelta) -> list[datetime]:
    """Return the moments from `start` to `end` (both included) `every` apart."""
    if end < start:
        raise click.BadParameter("--to must not be before --from")
    count = int((end - start) / every) + 1
    if count > MAX_MOMENTS:
        raise click.BadParameter(
            f"that is {count:,} moments; take a longer --every (at most {MAX_MOMENTS:,})"
        )
    found = [start + i * every for i in range(count)]
    return found if found[-1] == end else [*found, end]


@click.command("tick")
@click.option("--at", "at", help="Run as of this ISO-8601 time (default: now).")
@click.option("--from", "start", help="Walk through time from this ISO-8601 time (needs --to).")
@click.option("--to", "end", help="... to this one, running the planner and delivery at each step.")
@click.option("--every", default="1h", show_default=True, help="The step of the walk: 90s, 30m, 1h, 1d.")
@with_appcontext
def tick_command(at: str | None, start: str | None, end: str | None, every: str) -> None:
    """Plan what is due at a moment (or at each moment of a walk) and deliver it; print the counts."""
    if at and (start or end):
        raise click.UsageError("give either --at, or --from and --to")
    if bool(start) != bool(end):
        raise click.UsageError("--from and --to go together")
    settings = get_settings()
    provider = provider_for(settings)
    if not start:
        moment = parse_moment(at)
        counts = run_tick(get_sessions(), settings, provider, moment)
        click.echo(f"tick at {moment.isoformat()}: {_counts(counts)}")
        return
    walk = moments(parse_moment(start), parse_moment(end), parse_every(every))
    total: Counter[str] = Counter()
    for moment in walk:
        counts = run_tick(get_sessions(), settings, provider, moment)
        total.update(counts)
        if counts["claimed"]:
            click.echo(f"tick at {moment.isoformat()}: {_counts(counts)}")
    click.echo(
        f"walked {len(walk)} moments from {walk[0].isoformat()} to {walk[-1].isoformat()}: {_counts(total)}"
    )


def _counts(counts: Counter[str]) -> str:
    return " ".join(f"{name}={counts[name]}" for name in OUTCOMES)


def init_app(app: Flask) -> None:
    """Register the command."""
    app.cli.add_command(tick_command)
