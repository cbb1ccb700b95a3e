"""The operator's sending commands: `sends` (unknown and failed ones), `sending` and `stats`."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from campaigns.alerts import open_alerts, resume_sending
from campaigns.clinic import clinic_zone
from campaigns.db import session_scope
from campaigns.errors import NurtureError
from campaigns.models import Sequence
from campaigns.send_decisions import resend, settle_as_sent, skip, undecided_sends
from campaigns.stats import SequenceStats, sequence_stats
from campaigns.statuses import SendStatus
from web.database import get_sessions, get_settings

sends_cli = AppGroup("sends", help="Look at and decide unknown or failed sends.")
sending_cli = AppGroup("sending", help="See why sending is paused, and resume it.")


@sends_cli.command("list")
@click.option("--status", type=click.Choice(["unknown", "failed"]), default="unknown", show_default=True)
def list_sends(status: str) -> None:
    """List sends that are unknown (may have gone out) or failed."""
    with session_scope(get_sessions()) as session:
        sends = undecided_sends(session, SendStatus(status))
        for send in sends:
            when = (send.attempted_at or send.queued_at).isoformat(timespec="seconds")
            click.echo(
                f"{send.id}\t{when}\tstep {send.step_id}\tsubscriber {send.subscriber_id}\t{send.error or ''}"
            )
        click.echo(f"{len(sends)} {status} send(s)")


def _decide(action, send_id: int) -> None:
    try:
        with session_scope(get_sessions()) as session:
            send = action(session, send_id)
            click.echo(f"send {send.id} is now {send.status}")
    except NurtureError as exc:
        raise click.ClickException(str(exc)) from exc


@sends_cli.command("settle")
@click.argument("send_id", type=int)
@click.option("--as", "decision", type=click.Choice(["sent", "resend", "skip"]), required=True)
def settle(send_id: int, decision: str) -> None:
    """Decide an unknown or failed send: it went out (sent), send it again (resend), or move on (skip)."""
    now = datetime.now(UTC)
    with session_scope(get_sessions()) as session:
        zone = clinic_zone(session, get_settings())
    actions = {
        "sent": lambda session, sid: settle_as_sent(session, sid, zone, now),
        "resend": lambda session, sid: resend(session, sid, now),
        "skip": lambda session, sid: skip(session, sid, zone, now),
    }
    _decide(actions[decision], send_id)


@sending_cli.command("status")
def sending_status() -> None:
    """Show open alerts; an open provider outage means sending is paused."""
    with session_scope(get_sessions()) as session:
        alerts = open_alerts(session)
        for alert in alerts:
            click.echo(f"{alert.opened_at.isoformat(timespec='seconds')} {alert.kind}: {alert.message}")
        click.echo(
            "sending is paused" if any(a.kind == "provider_outage" for a in alerts) else "sending is on"
        )


@sending_cli.command("resume")
def sending_resume() -> None:
    """Resolve the provider outage (after fixing the key or sender) and send what waited."""
    with session_scope(get_sessions()) as session:
        waiting = resume_sending(session, None, datetime.now(UTC))
    click.echo(f"sending resumed; {waiting} waiting send(s) go out on the next planner run")


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


@click.command("stats")
@click.argument("sequence", required=False)
@with_appcontext
def stats_command(sequence: str | None) -> None:
    """Print a sequence's numbers per step, with human and all opens side by side."""
    with session_scope(get_sessions()) as session:
        query = select(Sequence).order_by(Sequence.id)
        if sequence:
            query = query.where((Sequence.slug == sequence) | (Sequence.name == sequence))
        found = session.scalars(query).all()
        if not found:
            raise click.ClickException(f"no sequence called {sequence!r}")
        for each in found:
            _print_stats(sequence_stats(session, each.id))


def _print_stats(stats: SequenceStats) -> None:
    click.echo(f"\n{stats.name}")
    header = "step sent delivered bounced opens-human opens-all clicks-human clicks-all CTOR unsubs"
    header += " complaints booked"
    click.echo("  ".join(f"{h:>12}" for h in header.split()))
    rows = [(str(s.position), s.counts) for s in stats.steps] + [("total", stats.total)]
    for label, c in rows:
        cells = (
            label,
            c["sent"],
            c["delivered"],
            c["bounced"],
            f"{c['opened_human']} {_percent(c.rate('opened_human'))}",
            f"{c['opened']} {_percent(c.rate('opened'))}",
            f"{c['clicked_human']} {_percent(c.rate('clicked_human'))}",
            f"{c['clicked']} {_percent(c.rate('clicked'))}",
            _percent(c.click_to_open),
            c["unsubscribed"],
            c["complained"],
            c["converted"],
        )
        click.echo("  ".join(f"{cell!s:>12}" for cell in cells))
    if stats.median_time_to_convert is not None:
        click.echo(f"median time to book: {stats.median_time_to_convert}")
    for url, clicks, human in stats.links[:10]:
        click.echo(f"  {human:>6} human / {clicks:>6} all  {url}")


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(sends_cli)
    app.cli.add_command(sending_cli)
    app.cli.add_command(stats_command)
