"""Who may read or act on the people pages, the actor's audit id, and the 400 for bad input.

Every form post is already checked for its CSRF token by `CSRFProtect` (see `web.security`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, g

from campaigns.errors import ValidationError
from campaigns.statuses import Role
from web.admin.access import role_required

READERS = (Role.ADMIN, Role.EDITOR, Role.VIEWER)
ACTORS = (Role.ADMIN, Role.EDITOR)


def reads(view: Callable[..., Any]) -> Callable[..., Any]:
    """Let every signed-in role see the page."""
    return role_required(*READERS)(view)


def acts(view: Callable[..., Any]) -> Callable[..., Any]:
    """Let editors and admins act."""
    return role_required(*ACTORS)(view)


def admin_acts(view: Callable[..., Any]) -> Callable[..., Any]:
    """Let only admins act."""
    return role_required(Role.ADMIN)(view)


def actor_id() -> int:
    """Return the signed-in user's id, for the audit log."""
    return int(g.user.id)


def refuse(error: ValidationError) -> None:
    """Answer what a person typed wrong with a 400 and its message."""
    abort(400, description=str(error))
