"""Signing in (with a second factor when it is on) and out of the admin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for

from campaigns.access.two_factor import check_second_factor
from campaigns.accounts import authenticate
from campaigns.models import User
from web.admin import bp
from web.admin.access import audit, login_required, sign_in, sign_out
from web.admin.forms import CodeForm, LoginForm
from web.database import get_session

PENDING = "pending_sign_in"
CODE_WAIT = timedelta(minutes=5)
"""How long the code page waits after the right password, before it asks for the password again."""


def safe_next(target: str | None) -> str:
    """Return `target` only if it is a path inside the admin; never another site."""
    if (
        target
        and target.startswith("/admin")
        and target.isprintable()  # no CR or LF: they would end the Location header
        and not urlsplit(target).netloc
        and "\\" not in target
    ):
        return target
    return url_for("admin.dashboard")


@bp.get("/login")
def login():
    """Show the sign-in form."""
    form = LoginForm(next=request.args.get("next", "")[:300])
    return render_template("admin/login.html", form=form)


@bp.post("/login")
def login_submit():
    """Check the email and password; then sign in, or ask for the second factor."""
    form = LoginForm()
    if not form.validate():
        return render_template("admin/login.html", form=form), 400
    db, now = get_session(), datetime.now(UTC)
    email = form.email.data or ""
    user = authenticate(db, email, form.password.data or "", now)
    if user is None:
        audit("sign_in.failed", None, now, email=email.strip().lower()[:320])
        db.commit()
        form.password.errors = ["That email and password do not match an account."]
        return render_template("admin/login.html", form=form), 401
    if user.totp_secret:
        session[PENDING] = {
            "user_id": user.id,
            "email": user.email,
            "at": now.isoformat(),
            "next": form.next.data,
        }
        return redirect(url_for("admin.login_code"), code=303)
    return _finish(user, now, form.next.data, second_factor=None)


def _pending_user() -> User | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    started = datetime.fromisoformat(str(pending.get("at")))
    if datetime.now(UTC) - started > CODE_WAIT:
        return None
    user = get_session().get(User, int(pending.get("user_id", 0)))
    return user if user is not None and user.is_active and user.totp_secret else None


@bp.get("/login/code")
def login_code():
    """Ask for the code from the authenticator app."""
    if _pending_user() is None:
        return redirect(url_for("admin.login"))
    return render_template("admin/login_code.html", form=CodeForm())


@bp.post("/login/code")
def login_code_submit():
    """Check the code (or a recovery code) and finish signing in."""
    user, form = _pending_user(), CodeForm()
    if user is None:
        flash("That took too long. Please sign in again.", "error")
        return redirect(url_for("admin.login"), code=303)
    if not form.validate():
        return render_template("admin/login_code.html", form=form), 400
    db, now = get_session(), datetime.now(UTC)
    used = check_second_factor(db, user, form.code.data or "", now)
    if used is None:
        audit("sign_in.failed", f"user:{user.id}", now, email=user.email, reason="wrong code")
        db.commit()
        form.code.errors = ["That code is not right. Codes change every 30 seconds."]
        return render_template("admin/login_code.html", form=form), 401
    return _finish(user, now, session.get(PENDING, {}).get("next"), second_factor=used)


def _finish(user: User, now: datetime, target: str | None, second_factor: str | None):
    db = get_session()
    sign_in(user, now)
    audit("sign_in", f"user:{user.id}", now, second_factor=second_factor)
    db.commit()
    if second_factor == "recovery code":
        flash("You used a recovery code; it cannot be used again. Set up a new app if yours is lost.", "info")
    return redirect(safe_next(target), code=303)


@bp.post("/logout")
@login_required
def logout():
    """Sign out: this browser's session ends in the database, so its cookie no longer works."""
    db, now = get_session(), datetime.now(UTC)
    audit("sign_out", None, now)
    sign_out(now)
    db.commit()
    flash("You are signed out.", "info")
    return redirect(url_for("admin.login"), code=303)
