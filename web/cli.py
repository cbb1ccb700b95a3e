"""The operator's commands: `flask --app wsgi db upgrade | seed | create-user | tick | check` and more."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from campaigns import clinic_settings, schema
from campaigns.access.team import change_password, find_user
from campaigns.accounts import create_user, generate_password
from campaigns.api_tokens import SCOPES, create_token, list_tokens, revoke_token
from campaigns.clinic import get_profile
from campaigns.db import session_scope
from campaigns.errors import ValidationError
from campaigns.seed import hold_first_admin, seed
from campaigns.settings import Settings
from campaigns.statuses import Role
from web import cli_claims, cli_people, cli_sending, cli_tick
from web.database import get_engine, get_sessions, get_settings
from web.health import background_health, check_database, check_redis, check_redis_version

db_cli = AppGroup("db", help="Manage the database schema.")


@db_cli.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Migrate up to this revision.")
def db_upgrade(revision: str) -> None:
    """Apply the migrations to DATABASE_URL."""
    schema.upgrade(get_settings().database_url, revision)
    click.echo("Database is up to date.")


@db_cli.command("downgrade")
@click.option("--revision", required=True, help="Migrate down to this revision ('base' empties it).")
def db_downgrade(revision: str) -> None:
    """Undo migrations down to a revision."""
    schema.downgrade(get_settings().database_url, revision)
    click.echo(f"Database is at {revision}.")


@click.command("seed")
@with_appcontext
@click.option("--admin-email", default="admin@clinic.example", show_default=True)
@click.option(
    "--hold-credentials",
    is_flag=True,
    help="Leave a new admin's password in instance/ for `make run` to print once everything is up.",
)
def seed_command(admin_email: str, hold_credentials: bool) -> None:
    """Create the clinic's profile, the default sequence and the first admin (once)."""
    settings = get_settings()
    with session_scope(get_sessions()) as session:
        result = seed(session, settings, datetime.now(UTC), admin_email=admin_email)
    if result.sequence_created:
        click.echo("Created the default sequence 'Understanding fibromyalgia'.")
    if result.admin_password and hold_credentials:
        hold_first_admin(settings.instance_dir, result.admin_email or admin_email, result.admin_password)
        click.echo("Created the first admin; its password is printed once everything has started.")
    elif result.admin_password:
        click.echo(f"\nAdmin account: {result.admin_email}\nPassword:      {result.admin_password}")
        click.echo("This password is shown once. Sign in at /admin and keep it somewhere safe.\n")
    else:
        click.echo("Seed data is in place.")


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--password", help="At least 12 characters; a random one is printed if omitted.")
def create_user_command(email: str, role: str, password: str | None) -> None:
    """Create an admin-UI user."""
    shown = password is None
    password = password or generate_password()
    try:
        with session_scope(get_sessions()) as session:
            user = create_user(session, email, Role(role), password, datetime.now(UTC))
    except ValidationError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {user.role} {user.email}.")
    if shown:
        click.echo(f"Password: {password}  (shown once)")


@click.command("set-password")
@with_appcontext
@click.argument("email")
@click.option("--password", help="At least 12 characters; a random one is printed if omitted.")
def set_password_command(email: str, password: str | None) -> None:
    """Set an admin-UI user's password: the way back in when it is lost."""
    shown = password is None
    password = password or generate_password()
    try:
        with session_scope(get_sessions()) as session:
            user = find_user(session, email)
            if user is None:
                raise ValidationError(f"no user has the email {email.strip().lower()}")
            change_password(session, user, password, datetime.now(UTC))  # and sign them out everywhere
            address = user.email
    except ValidationError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Set a new password for {address}.")
    if shown:
        click.echo(f"Password: {password}  (shown once)")


@click.command("check")
@with_appcontext
def check_command() -> None:
    """Say whether the settings are sound and the database and Redis answer."""
    settings = get_settings()
    click.echo(
        f"settings: ok ({'local' if settings.local_mode else 'public'} mode, "
        f"email backend {settings.email_backend}, base URL {settings.public_base_url})"
    )
    failures = 0
    redis_problem = check_redis(settings) or check_redis_version(settings)
    for part, problem in (("database", check_database(get_engine())), ("redis", redis_problem)):
        click.echo(f"{part}: {problem or 'ok'}")
        failures += problem is not None
    if failures == 0 and not schema.is_current(get_engine(), settings.database_url):
        click.echo("migrations: behind; run `flask --app wsgi db upgrade`")
        failures += 1
    if failures == 0:
        with session_scope(get_sessions()) as session:
            background = background_health(settings, session, datetime.now(UTC))
        for problem in background.problems:
            click.echo(f"background: {problem}")
        if not background.problems:
            click.echo("background: ok (the planner and the tracking drain ran in the last 5 minutes)")
        failures += len(background.problems)
        failures += report_placeholders(settings)
    sys.exit(1 if failures else 0)


def report_placeholders(settings: Settings) -> int:
    """Say which clinic settings still hold a placeholder; count them as failures in public mode."""
    with session_scope(get_sessions()) as session:
        profile = get_profile(session)
        found = clinic_settings.unfinished(profile, settings)
    if profile is None:
        click.echo("clinic settings: none yet; run `flask --app wsgi seed`")
        return 0 if settings.local_mode else 1
    for item in found:
        click.echo(f"clinic settings: still to fill in at {settings.public_base_url}/admin/settings: {item}")
    if not found:
        click.echo("clinic settings: ok")
    return 0 if settings.local_mode else len(found)


token_cli = AppGroup("api-token", help="Manage the JSON API's bearer tokens.")


@token_cli.command("create")
@click.argument("name")
@click.option("--scope", type=click.Choice(SCOPES), default="read", show_default=True)
def token_create(name: str, scope: str) -> None:
    """Create a token for another system; it is shown once."""
    try:
        with session_scope(get_sessions()) as session:
            token = create_token(session, name, scope, datetime.now(UTC))
    except ValidationError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{scope} token for {name}: {token}\nIt is shown once: store it in the other system now.")


@token_cli.command("revoke")
@click.argument("token_id", type=int)
def token_revoke(token_id: int) -> None:
    """Revoke a token at once."""
    try:
        with session_scope(get_sessions()) as session:
            revoke_token(session, token_id, datetime.now(UTC))
    except ValidationError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"token {token_id} revoked")


@token_cli.command("list")
def token_list() -> None:
    """List the tokens: id, scope, name, when made, last used, revoked."""
    with session_scope(get_sessions()) as session:
        for token in list_tokens(session):
            used = f"last used {token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never used"
            state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "live"
            click.echo(
                f"{token.id}\t{token.scope}\t{token.name}\t{token.created_at:%Y-%m-%d}\t{used}\t{state}"
            )


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(db_cli)
    app.cli.add_command(token_cli)
    for command in (seed_command, create_user_command, set_password_command, check_command):
        app.cli.add_command(command)
    cli_claims.init_app(app)
    cli_sending.init_app(app)
    cli_tick.init_app(app)
    cli_people.init_app(app)
