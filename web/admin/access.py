"""Who is signed in: Flask-Login on the database's sign-in sessions, role checks, the audit trail.

The browser's cookie holds only a random session token; the database says whether it is still
open. Signing out, a password or role change and deactivation end sessions there, so a copied
cookie stops working at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from flask import Flask, abort, g, redirect, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_login import login_required as _login_required

from campaigns.access import audit as audit_log
from campaigns.access.sessions import end_session, find_session, start_session
from campaigns.models import User
from campaigns.statuses import Role
from web.admin import bp
from web.database import get_session

login_manager = LoginManager()


class SignedIn(UserMixin):
    """The signed-in user as Flask-Login sees them: a user and the token of their session."""

    def __init__(self, user: User, token: str) -> None:
        self.user, self.token = user, token

    def get_id(self) -> str:
        """Return the session token: the id Flask-Login keeps in the cookie."""
        return self.token

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        """Tell whether the user may still sign in."""
        return self.user.is_active


@login_manager.user_loader
def load_signed_in(token: str) -> SignedIn | None:
    """Return who holds this session token, if the session is still open."""
    db = get_session()
    record = find_session(db, token)
    if record is None:
        return None
    user = db.get(User, record.user_id)
    return SignedIn(user, token) if user is not None else None


@login_manager.unauthorized_handler
def to_login_page():
    """Send a visitor who is not signed in to the login page, remembering where they were going."""
    return redirect(url_for("admin.login", next=request.path))


def sign_in(user: User, now: datetime) -> None:
    """Open a fresh session for `user` in the database and in this browser."""
    token = start_session(get_session(), user, request.remote_addr, request.headers.get("User-Agent"), now)
    session.clear()  # a new cookie on sign-in, so nothing from before rides along
    login_user(SignedIn(user, token))
    g.user = user


def sign_out(now: datetime, reason: str = "signed out") -> None:
    """End this browser's session, in the database first."""
    if current_user.is_authenticated:
        end_session(get_session(), current_user.token, now, reason)
    logout_user()
    session.clear()


def current_token() -> str | None:
    """Return this browser's session token, if signed in."""
    return current_user.token if current_user.is_authenticated else None


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Send a visitor who is not signed in to the login page."""
    return _login_required(view)


def role_required(*roles: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Allow a view only to signed-in users with one of `roles`."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if g.user.role not in roles:
                abort(403, description="Your role does not allow this.")
            return view(*args, **kwargs)

        return wrapped

    return decorate


def audit(action: str, target: str | None, now: datetime | None = None, **detail: Any) -> None:
    """Record what the signed-in user (or, before sign-in, this address) did."""
    user = g.get("user")
    audit_log.record(
        get_session(),
        now or datetime.now(UTC),
        action,
        user_id=user.id if user is not None else None,
        target=target,
        ip_address=request.remote_addr,
        **detail,
    )


@bp.before_request
def load_user() -> None:
    """Make the signed-in user (or None) available to views as `g.user`."""
    g.user = current_user.user if current_user.is_authenticated else None


@bp.context_processor
def user_in_templates() -> dict[str, Any]:
    """Give every admin page the signed-in user."""
    return {"user": g.get("user")}


def init_app(app: Flask) -> None:
    """Attach Flask-Login to the app."""
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
