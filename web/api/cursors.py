"""Opaque cursors: signed, so a client can only hand back one the API gave it."""

from __future__ import annotations

from typing import Any

from campaigns.tokens import InvalidToken, sign, unsign
from web.api.problems import ProblemError
from web.database import get_settings


def make_cursor(kind: str, position: dict[str, Any]) -> str:
    """Return a cursor that resumes a listing at `position`."""
    return sign(get_settings().secret_key, f"api-cursor-{kind}", position)


def read_cursor(kind: str, cursor: str | None, start: dict[str, Any]) -> dict[str, Any]:
    """Return the position a cursor holds, `start` without one, or answer 400."""
    if not cursor:
        return start
    try:
        position = unsign(get_settings().secret_key, f"api-cursor-{kind}", cursor)
    except InvalidToken:
        position = None
    if (
        not isinstance(position, dict)
        or set(position) != set(start)
        or any(type(position[key]) is not type(value) for key, value in start.items())
    ):
        raise ProblemError(
            400, "Bad cursor", "Pass back a next_cursor exactly as given.", {"cursor": "is not valid"}
        )
    return position
