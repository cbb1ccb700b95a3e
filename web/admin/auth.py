"""Signing in and out of the admin."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import g, redirect, render_template, request, session, url_for

from campaigns.accounts import authenticate
from campaigns.models import User
from web.admin import bp
from web.database import get_session
from web.security import check_csrf


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Send a visitor who is not signed in to the login page."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        user = current_user()
        if user is None:
            return redirect(url_for("admin.login", next=request.path))
        g.user = user
        return view(*args, **kwargs)

    return wrapped


def current_user() -> User | None:
    """Return the signed-in, still active user, if any."""
    user_id = session.get("user_id")
    if not isinstance(user_id, int):
        return None
    user = get_session().get(User, user_id)
    return user if user and user.is_active else None


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
    return render_template("admin/login.html", next=request.args.get("next", ""))


@bp.post("/login")
def login_submit():
    """Sign in with email and password."""
    check_csrf()
    email = request.form.get("email", "")[:320]
    password = request.form.get("password", "")[:1024]
    db = get_session()
    user = authenticate(db, email, password, datetime.now(UTC))
    if user is None:
        message = "That email and password do not match an account."
        return render_template(
            "admin/login.html", error=message, email=email, next=request.form.get("next", "")
        ), 401
    db.commit()
    session.clear()  # a fresh session on sign-in, so an old cookie cannot ride along
    session["user_id"] = user.id
    return redirect(safe_next(request.form.get("next")))


@bp.post("/logout")
def logout():
    """Sign out."""
    check_csrf()
    session.clear()
    return redirect(url_for("admin.login"))
