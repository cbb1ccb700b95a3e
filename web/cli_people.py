"""People from the command line: `import-subscribers`, `export-subscribers` and `privacy export|erase`."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from campaigns.addresses import normalize_email
from campaigns.clinic import clinic_zone
from campaigns.db import session_scope
from campaigns.errors import ValidationError
from campaigns.models import ImportReject, ImportRun, Sequence
from campaigns.people.export import write_csv
from campaigns.people.import_rows import decode, guess_mapping, read_table
from campaigns.people.importing import run_import, start_import
from campaigns.people.privacy import erase_person, export_person
from campaigns.people.search import people_query
from campaigns.statuses import SubscriberStatus
from web.database import get_sessions, get_settings

ATTESTED_ON_THE_COMMAND_LINE = "the operator, on the command line (--confirmed)"


class UnusableInput(click.ClickException):
    """The file or an option cannot be used: nothing was imported (exit code 2)."""

    exit_code = 2


def _sequence_id(session, slug: str | None) -> int | None:
    if not slug:
        return None
    sequence_id = session.scalar(select(Sequence.id).where(Sequence.slug == slug))
    if sequence_id is None:
        raise UnusableInput(f"there is no sequence '{slug}'")
    return sequence_id


@click.command("import-subscribers")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--consent-source", required=True, help="Where and how these people agreed to the emails.")
@click.option("--sequence", "slug", help="Enroll attested people in this sequence instead of the default.")
@click.option(
    "--confirmed",
    is_flag=True,
    help="Attest that every row with a consent date gave consent: no confirmation email for those rows.",
)
def import_command(file: Path, consent_source: str, slug: str | None, confirmed: bool) -> None:
    """Import people from a CSV; the last line says imported=N merged=N rejected=N.

    Exit code 0 when every row was taken, 1 when some rows were rejected (listed in
    FILE.rejects.csv), 2 when the file or an option could not be used.
    """
    settings, now = get_settings(), datetime.now(UTC)
    try:
        content = decode(file.read_bytes())
        header, _ = read_table(content)
        with session_scope(get_sessions()) as session:
            run = start_import(
                session,
                file.name,
                content,
                guess_mapping(header),
                consent_source,
                now,
                attested_by=ATTESTED_ON_THE_COMMAND_LINE if confirmed else None,
                sequence_id=_sequence_id(session, slug),
            )
            run_id, total = run.id, run.total_rows
    except ValidationError as exc:
        raise UnusableInput(str(exc)) from exc
    with session_scope(get_sessions()) as session:
        zone = clinic_zone(session, settings)
        if sys.stderr.isatty():
            with click.progressbar(length=total, label="Importing", file=sys.stderr) as bar:
                done = [0]

                def advance(progress: ImportRun) -> None:
                    bar.update(progress.processed_rows - done[0])
                    done[0] = progress.processed_rows

                run = run_import(session, run_id, settings.verifying_keys, zone, now, advance)
        else:
            run = run_import(session, run_id, settings.verifying_keys, zone, now)
        counts = (run.imported, run.merged, run.rejected)
        if run.rejected:
            _write_rejects(session, run_id, file.with_suffix(".rejects.csv"))
    click.echo(f"imported={counts[0]} merged={counts[1]} rejected={counts[2]}")
    sys.exit(1 if counts[2] else 0)


def _write_rejects(session, run_id: int, path: Path) -> None:
    """Write the rejected rows, with their reasons, next to the imported file."""
    import csv

    rows = session.execute(
        select(ImportReject.row_number, ImportReject.email, ImportReject.reason)
        .where(ImportReject.import_run_id == run_id)
        .order_by(ImportReject.row_number)
    )
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(("row", "email", "reason"))
        writer.writerows(rows)
    click.echo(f"Rejected rows and their reasons: {path}", err=True)


@click.command("export-subscribers")
@with_appcontext
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--status", type=click.Choice([s.value for s in SubscriberStatus]), default="")
@click.option("--sequence", "slug", default="", help="Only people enrolled in this sequence.")
def export_command(file: Path, status: str, slug: str) -> None:
    """Write people as CSV, streamed so memory stays flat however many there are."""
    with session_scope(get_sessions()) as session:
        try:
            query = people_query(session, status=status, sequence=slug)
        except ValidationError as exc:
            raise click.ClickException(str(exc)) from exc
        with file.open("w", newline="", encoding="utf-8") as out:
            count = write_csv(session, query, out)
    click.echo(f"exported={count} file={file}")


privacy_cli = AppGroup("privacy", help="Answer a person's request to see or erase their data.")


def _address(email: str) -> str:
    try:
        return normalize_email(email)
    except ValidationError as exc:
        raise click.ClickException(str(exc)) from exc


@privacy_cli.command("export")
@click.argument("email")
def privacy_export(email: str) -> None:
    """Print everything held about one person as JSON."""
    with session_scope(get_sessions()) as session:
        data = export_person(session, _address(email))
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


@privacy_cli.command("erase")
@click.argument("email")
@click.confirmation_option(
    "--yes", prompt="Erase everything personal about this person? This cannot be undone"
)
def privacy_erase(email: str) -> None:
    """Erase one person: personal data removed, the address kept only as a keyed hash."""
    address = _address(email)
    with session_scope(get_sessions()) as session:
        erased = erase_person(session, get_settings().secret_key, address, None, datetime.now(UTC))
    if not erased:
        raise click.ClickException("nobody with that address is held")
    click.echo(
        "erased: personal data removed; the address is kept only as a keyed hash on the suppression list"
    )


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(import_command)
    app.cli.add_command(export_command)
    app.cli.add_command(privacy_cli)
