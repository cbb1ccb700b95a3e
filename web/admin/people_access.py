"""What every people page shares: who may read or act, the actor's audit id, and the form check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, g

from campaigns.errors import ValidationError
from campaigns.statuses import Role
from web.admin.sending import role_required
from web.security import check_csrf

READERS = (Role.ADMIN, Role.EDITOR, Role.VIEWER)
ACTORS = (Role.ADMIN, Role.EDITOR)


def reads(view: Callable[..., Any]) -> Callable[..., Any]:
    """Let every signed-in role see the page."""
    return role_required(*READERS)(view)


def acts(view: Callable[..., Any]) -> Callable[..., Any]:
    """Let editors and admins act, after the form's CSRF check."""
    return role_required(*ACTORS)(_checked(view))


def admin_acts(view: Callable[..., Any]) -> Callable[..., Any]:
    """Let only admins act, after the form's CSRF check."""
    return role_required(Role.ADMIN)(_checked(view))


def _checked(view: Callable[..., Any]) -> Callable[..., Any]:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        check_csrf()
        return view(*args, **kwargs)

    wrapped.__name__, wrapped.__doc__ = view.__name__, view.__doc__
    return wrapped


def actor_id() -> int:
    """Return the signed-in user's id, for the audit log."""
    return int(g.user.id)


def refuse(error: ValidationError) -> None:
    """Answer what a person typed wrong with a 400 and its message."""
    abort(400, description=str(error))
