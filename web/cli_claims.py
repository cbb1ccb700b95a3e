"""`flask --app wsgi check-claims [FILE|-] [--subject TEXT]`: the claims check for reviewers and scripts."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import with_appcontext

from campaigns.claims import default_rules
from campaigns.claims.document import check_document, format_finding
from web.database import get_settings


@click.command("check-claims")
@click.argument("source", type=click.File("r", encoding="utf-8"), default="-")
@click.option("--subject", default=None, help="A subject line to check as well (reported as line 0).")
@with_appcontext
def check_claims_command(source: click.utils.LazyFile, subject: str | None) -> None:
    """Print each risky claim in a Markdown or text file, or stdin: LINE:COL SEVERITY RULE "text": reason.

    Exits 1 when any finding is `block`, else 0.
    """
    rules = default_rules(get_settings().instance_dir)
    findings = check_document(source.read(), rules, subject)
    for finding in findings:
        click.echo(format_finding(finding))
    blocking = sum(f.blocks for f in findings)
    click.echo(
        f"claims check: {blocking} blocking, {len(findings) - blocking} to review",
        err=True,
    )
    sys.exit(1 if blocking else 0)


def init_app(app: Flask) -> None:
    """Register the command."""
    app.cli.add_command(check_claims_command)
