"""`/admin/account`: your own password and two-factor sign-in; and the one-time set-password link."""

from __future__ import annotations

from datetime import UTC, datetime

import segno
from flask import abort, flash, g, redirect, render_template, request, session, url_for

from campaigns.access import team, two_factor
from campaigns.clinic import sender_for
from campaigns.errors import ValidationError
from campaigns.tokens import InvalidToken
from web.admin import bp
from web.admin.access import audit, current_token, login_required
from web.admin.forms import ChangePasswordForm, CodeForm, NewPasswordForm
from web.database import get_session, get_settings

NEW_SECRET = "new_totp_secret"  # noqa: S105 (the session key, not a secret)


def _shown_once(template: str, **context):
    return render_template(template, **context), 200, {"Cache-Control": "no-store"}


@bp.get("/account")
@login_required
def account():
    """Show your password form and your two-factor sign-in."""
    return _page(ChangePasswordForm())


def _page(form: ChangePasswordForm, status: int = 200):
    left = two_factor.recovery_codes_left(get_session(), g.user)
    return render_template("admin/account.html", form=form, codes_left=left), status


@bp.post("/account/password")
@login_required
def change_own_password():
    """Change your password; every other browser you are signed in on is signed out."""
    form, db, now = ChangePasswordForm(), get_session(), datetime.now(UTC)
    if form.validate() and not team.password_is(g.user, form.current.data or ""):
        form.current.errors = ["That is not your current password."]
    if form.errors:
        return _page(form, 400)
    team.change_password(db, g.user, form.password.data or "", now, keep_token=current_token())
    audit("user.password", f"user:{g.user.id}", now)
    db.commit()
    flash("Your password is changed. Any other browser signed in as you was signed out.", "info")
    return redirect(url_for("admin.account"), code=303)


@bp.post("/account/two-factor/start")
@login_required
def start_two_factor():
    """Make a new secret for your authenticator app (kept in this browser until confirmed)."""
    session[NEW_SECRET] = two_factor.new_secret()
    return redirect(url_for("admin.two_factor_setup"), code=303)


@bp.get("/account/two-factor")
@login_required
def two_factor_setup():
    """Show the QR code and the secret, and ask for the app's first code."""
    return _setup(CodeForm())


def _setup(form: CodeForm, status: int = 200):
    secret = session.get(NEW_SECRET)
    if not isinstance(secret, str):
        return redirect(url_for("admin.account"))
    clinic = sender_for(get_session(), get_settings()).clinic_name
    uri = two_factor.provisioning_uri(secret, g.user.email, clinic)
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, dark="#000", light="#fff")
    page = render_template("admin/two_factor_setup.html", form=form, secret=secret, qr=qr)
    return page, status, {"Cache-Control": "no-store"}


@bp.post("/account/two-factor")
@login_required
def turn_on_two_factor():
    """Turn two-factor sign-in on once the app's code matches; show the recovery codes once."""
    form, db, now = CodeForm(), get_session(), datetime.now(UTC)
    secret = session.get(NEW_SECRET)
    if not isinstance(secret, str):
        abort(409, description="Start again from Your account: the setup was not begun in this browser.")
    if not form.validate():
        return _setup(form, 400)
    try:
        codes = two_factor.turn_on(db, g.user, secret, form.code.data or "", now)
    except ValidationError as exc:
        form.code.errors = [str(exc)]
        return _setup(form, 400)
    session.pop(NEW_SECRET, None)
    audit("user.two_factor_on", f"user:{g.user.id}", now)
    db.commit()
    done = "Two-factor sign-in is on: from now on you enter a code from the app after your password."
    return _shown_once("admin/recovery_codes.html", codes=codes, done=done)


@bp.post("/account/recovery-codes")
@login_required
def new_recovery_codes():
    """Replace your recovery codes; the old ones stop working."""
    db, now = get_session(), datetime.now(UTC)
    if not g.user.totp_secret:
        abort(409, description="Two-factor sign-in is off, so there are no recovery codes.")
    codes = two_factor.new_recovery_codes(db, g.user)
    audit("user.recovery_codes", f"user:{g.user.id}", now)
    db.commit()
    return _shown_once(
        "admin/recovery_codes.html", codes=codes, done="New recovery codes; the old ones no longer work."
    )


@bp.post("/account/two-factor/off")
@login_required
def turn_off_two_factor():
    """Turn two-factor sign-in off, after your password."""
    db, now = get_session(), datetime.now(UTC)
    if not team.password_is(g.user, request.form.get("password", "")[:1024]):
        flash("That is not your current password; two-factor sign-in is still on.", "error")
        return redirect(url_for("admin.account"), code=303)
    two_factor.turn_off(db, g.user)
    audit("user.two_factor_off", f"user:{g.user.id}", now)
    db.commit()
    flash("Two-factor sign-in is off.", "info")
    return redirect(url_for("admin.account"), code=303)


def _invited(token: str):
    try:
        return team.user_of_set_password_token(
            get_session(), get_settings().secret_key, token, datetime.now(UTC)
        )
    except InvalidToken:
        abort(
            410,
            description="This link was used already, or is more than 3 days old. Ask an admin for a new one.",
        )


@bp.get("/set-password/<token>")
def set_password_page(token: str):
    """Show the form to choose a password from a one-time link (changes nothing)."""
    return render_template(
        "admin/set_password.html", person=_invited(token), token=token, form=NewPasswordForm()
    )


@bp.post("/set-password/<token>")
def set_password(token: str):
    """Set the password; the link is spent, and the user signs in with it."""
    user, form, db, now = _invited(token), NewPasswordForm(), get_session(), datetime.now(UTC)
    if not form.validate():
        return render_template("admin/set_password.html", person=user, token=token, form=form), 400
    team.change_password(db, user, form.password.data or "", now)
    audit("user.password_set", f"user:{user.id}", now, email=user.email, by="link")
    db.commit()
    flash("Your password is set. Sign in with it now.", "info")
    return redirect(url_for("admin.login"), code=303)
